"""The registry: every command of the filing lifecycle, each one transaction plus one audit
entry, and the queries the apps and dashboards read.

Commands are called as ``command(store, actor, **arguments)``.
"""

from casework.registry.actors import SYSTEM_ACTOR, Actor
from casework.registry.catalog import (
    actor_for,
    add_user,
    change_user_role,
    choose_city_projects,
    deactivate_user,
    load_cities,
    publish_catalog,
    register_institution,
)
from casework.registry.certificates import (
    refuse_recognition,
    reject_certificate_change,
    request_certificate_change,
)
from casework.registry.closing import record_closing_work
from casework.registry.drafts import discard_form_draft, save_form_draft
from casework.registry.exits import (
    accept_withdrawal_plan,
    advance,
    apply_withdrawal,
    cancel_withdrawal,
    close_incident,
    complete_withdrawal,
    confirm_violation,
    escalate_incident,
    follow_up_incident,
    open_incident,
    open_investigation,
    record_extinction,
    record_statement,
    restore_filing,
    revoke_filing,
    serve_findings,
)
from casework.registry.expert_pool import (
    add_pool_expert,
    deactivate_pool_expert,
    edit_pool_expert,
)
from casework.registry.filing import (
    close_notice,
    ensure_may_assess,
    file_application,
    open_notice,
    record_objection,
    register_existing_filing,
    remove_projects,
    resolve_objection,
)
from casework.registry.province import (
    acknowledge_province_report,
    adjust_city_projects,
    publish_catalog_edition,
    report_to_province,
)
from casework.registry.renewal import constitute_group, decide_renewal, open_round, submit_renewal
from casework.registry.selection import (
    accept_application,
    close_call,
    constitute_panel,
    decide_application,
    declare_conflict_of_interest,
    publish_call,
    replace_panel_member,
    resubmit_application,
    return_application,
    submit_application,
    withdraw_application,
)
from casework.registry.self_evaluation_drafts import save_renewal_application_draft
from casework.registry.sheets import save_self_evaluation, save_sheet, submit_group_opinion

COMMANDS = (
    load_cities,
    publish_catalog,
    choose_city_projects,
    register_institution,
    add_user,
    change_user_role,
    deactivate_user,
    publish_call,
    close_call,
    submit_application,
    withdraw_application,
    accept_application,
    return_application,
    resubmit_application,
    constitute_panel,
    replace_panel_member,
    add_pool_expert,
    edit_pool_expert,
    deactivate_pool_expert,
    declare_conflict_of_interest,
    save_sheet,
    submit_group_opinion,
    decide_application,
    open_notice,
    record_objection,
    resolve_objection,
    close_notice,
    file_application,
    register_existing_filing,
    remove_projects,
    open_round,
    save_self_evaluation,
    save_renewal_application_draft,
    submit_renewal,
    constitute_group,
    decide_renewal,
    apply_withdrawal,
    accept_withdrawal_plan,
    cancel_withdrawal,
    complete_withdrawal,
    open_investigation,
    serve_findings,
    record_statement,
    confirm_violation,
    revoke_filing,
    restore_filing,
    record_extinction,
    advance,
    open_incident,
    follow_up_incident,
    close_incident,
    escalate_incident,
    save_form_draft,
    discard_form_draft,
    report_to_province,
    acknowledge_province_report,
    publish_catalog_edition,
    adjust_city_projects,
    request_certificate_change,
    reject_certificate_change,
    refuse_recognition,
    record_closing_work,
)
"""Every registry command; each carries ``command_name``, ``allowed_roles`` and ``rule_ids``.

The intake's ``casework.intake.importer.store_rows`` (导入数据) is a command too; it lives with
the intake so that ``import casework.registry`` does not load the readers."""

__all__ = [
    "COMMANDS",
    "SYSTEM_ACTOR",
    "Actor",
    "actor_for",
    "ensure_may_assess",
    *[c.__name__ for c in COMMANDS],
]
