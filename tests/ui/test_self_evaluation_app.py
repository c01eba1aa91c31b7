"""续期自评 app driven in plain pytest: what the browser would do, and what it must not."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest
from sqlalchemy import func, select

from casework import registry
from casework.errors import PermissionDenied
from casework.queries.renewals import self_sheet
from casework.registry import scenario
from casework.registry.actors import INSTITUTION, SYSTEM_ACTOR
from casework.registry.self_evaluation_drafts import save_renewal_application_draft
from casework.store.tables import audit_log, refusals, renewal_cases
from casework.ui import self_evaluation
from casework.ui.self_evaluation import SelfEvaluationPage
from tests.registry.conftest import JINAN, World

from .worlds import Template, browser_sends, clone, context, make_template, seed_jinan

START = date(2025, 3, 3)
DEADLINE = date(2027, 12, 31)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """Two filed institutions of Jinan, each with a renewal case awaiting self-evaluation and a
    head user; built once, every test gets its own copy of the store."""

    def build(world: World) -> dict[str, Any]:
        store = world.store
        ids: dict[str, Any] = {}
        for key, name, projects in (
            ("a", "济南鲁锦织造有限公司", ("P001", "P002")),
            ("b", "济南泉城面塑工作室", ("P001",)),
        ):
            filed = world.filed(name, projects)
            registry.add_user(
                store,
                SYSTEM_ACTOR,
                username=f"head_{key}",
                display_name=f"{name}负责人",
                role=INSTITUTION,
                institution_id=filed["institution_id"],
            )
            ids[key] = filed
        registry.open_round(
            store,
            scenario.city_officer(JINAN),
            city_code=JINAN,
            expiring_from=date(2028, 1, 1),
            expiring_to=date(2028, 6, 30),
            deadline=DEADLINE,
            on=date(2027, 11, 15),
        )
        with store.read() as conn:
            for key in ("a", "b"):
                ids[key]["renewal_id"] = conn.execute(
                    select(renewal_cases.c.id).where(
                        renewal_cases.c.filing_id == ids[key]["filing_id"]
                    )
                ).scalar_one()
        return ids

    seed = seed_jinan(("P001", "P002"), START.year)
    return make_template(tmp_path_factory.mktemp("self_evaluation"), build, seed)


@pytest.fixture(autouse=True)
def no_prefill(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see empty project inputs unless they provide assessment data themselves."""
    import casework.queries.evidence

    monkeypatch.setattr(casework.queries.evidence, "attachment5_prefill", lambda store, fid: {})


@pytest.fixture
def case(template: Template, tmp_path: Path) -> Iterator[dict[str, Any]]:
    world = clone(template, tmp_path)
    yield {**template.ids, "experts": template.experts[JINAN], "world": world}
    world.store.dispose()


def page_for(
    case: dict[str, Any], who: str = "head_a", **ctx_changes: Any
) -> tuple[Any, SelfEvaluationPage]:
    ctx = dataclasses.replace(context(case["world"], who), **ctx_changes)
    return ctx, SelfEvaluationPage(ctx, case["a"]["renewal_id"])


def fill(page: SelfEvaluationPage, score: float = 90.0) -> None:
    with page.a4.batch():
        for row in scenario.renewal_rows(score):
            page.a4.verdicts[row["item_id"]].value = row["verdict"]
            page.a4.points[row["item_id"]].value = row["points"]
        for toggle in page.a4.vetoes.values():
            toggle.value = "否"
    a5 = page.a5
    with a5.batch():
        a5.flags["qualification_changed"].value = "否"
        a5.flags["credit_good"].value = "是"
        a5.site.value = "自有场地"
        for code, (assessed, certified) in {"P001": (120, 102), "P002": (80, 60)}.items():
            a5.stats[code]["assessed"].value = assessed
            a5.stats[code]["certified"].value = certified
        a5.counts["evaluators"].value = 6
        a5.texts["summary"].value = "备案期内规范开展考核工作。"
        a5.texts["plan"].value = "扩大考核服务范围。"
        a5.texts["issues"].value = "无"
        a5.integrity.value = True


def count(case: dict[str, Any], table: Any) -> int:
    with case["world"].store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)


def stored_case(case: dict[str, Any], key: str = "a") -> dict[str, Any]:
    with case["world"].store.read() as conn:
        row = (
            conn.execute(select(renewal_cases).where(renewal_cases.c.id == case[key]["renewal_id"]))
            .mappings()
            .one()
        )
    return dict(row)


def test_submitting_both_attachments_files_the_renewal_application_ren_02_att5_stats(
    case: dict[str, Any],
) -> None:
    ctx, page = page_for(case)
    fill(page, 90.0)

    page.submit_button.click()

    stored = stored_case(case)
    assert stored["status"] == "已提交" and stored["submitted_on"] == ctx.today
    application = stored["application"]
    rates = {p["project_code"]: p["pass_rate"] for p in application["projects"]}
    assert rates == {"P001": 0.85, "P002": 0.75}
    assert (
        application["summary"] == "备案期内规范开展考核工作。" and application["integrity_declared"]
    )
    assert "draft" not in application
    sheet = self_sheet(ctx.store, case["a"]["renewal_id"], "head_a")
    assert sheet["status"] == "已提交" and sheet["total"] == 90.0
    assert "已提交" in page.messages.widget.value and "90" in page.messages.widget.value


def test_the_pass_rate_is_computed_live_as_certificates_over_candidates_att5_stats(
    case: dict[str, Any],
) -> None:
    _, page = page_for(case)
    stats = page.a5.stats["P001"]
    untouched = page.a5.assessed_any.value

    with page.a5.batch():
        stats["assessed"].value, stats["certified"].value = 40, 30
    shown = page.a5.rates["P001"].value
    stats["certified"].value = 50

    assert shown == "75.00%"
    assert "是否开展考核：<b>否</b>" in untouched
    assert "是否开展考核：<b>是</b>" in page.a5.assessed_any.value
    assert "取证多于考核" in page.a5.rates["P001"].value
    assert "未开展考核" in page.a5.rates["P002"].value


def test_drafts_of_both_attachments_come_back_in_a_new_session(case: dict[str, Any]) -> None:
    ctx, page = page_for(case)
    page.a4.verdicts["R01"].value = "符合"
    page.a4.verdicts["R02"].value = "不符合"
    page.a5.stats["P002"]["assessed"].value = 33
    page.a5.texts["plan"].value = "三年内新增考核工位20个。"

    _, again = page_for(case)

    assert again.a4.verdicts["R01"].value == "符合" and again.a4.points["R02"].value == 0.0
    assert again.a5.stats["P002"]["assessed"].value == 33
    assert again.a5.texts["plan"].value == "三年内新增考核工位20个。"
    assert self_sheet(ctx.store, case["a"]["renewal_id"], "head_a")["status"] == "草稿"
    stored = stored_case(case)
    assert stored["status"] == "待自评" and stored["application"]["draft"] is True


def test_one_user_action_is_one_saved_draft(case: dict[str, Any]) -> None:
    _, page = page_for(case)
    before = count(case, audit_log)

    page.a4.verdicts["R01"].value = "符合"  # verdict and the single points it implies
    page.a5.flags["credit_good"].value = "是"

    assert count(case, audit_log) == before + 2


def test_a_submitted_renewal_reopens_read_only(case: dict[str, Any]) -> None:
    _, page = page_for(case)
    fill(page)
    page.submit_button.click()

    _, again = page_for(case)

    assert again.locked and again.submit_button.disabled
    assert all(v.disabled for v in again.a4.verdicts.values())
    assert all(i.disabled for i in again.a5.inputs())
    assert again.a5.stats["P001"]["assessed"].value == 120
    assert "仅供查看" in again.messages.widget.value


def test_after_the_deadline_the_page_says_so_and_the_registry_refuses_ren_02(
    case: dict[str, Any],
) -> None:
    _, page = page_for(case)
    fill(page)
    late = DEADLINE + timedelta(days=1)
    refused = count(case, refusals)

    _, overdue = page_for(case, today=late)
    overdue.submit_button.set_state({"disabled": False})  # a crafted re-enable
    overdue.submit_button.click()

    assert "已超过提交截止日" in overdue.widget.children[1].value
    assert "REN-02" in overdue.widget.children[1].value
    assert overdue.locked
    assert "逾期" in overdue.messages.widget.value and "REN-02" in overdue.messages.widget.value
    assert stored_case(case)["status"] == "待自评"
    assert count(case, refusals) == refused + 1


def test_before_the_deadline_the_working_days_left_are_shown_ren_02(case: dict[str, Any]) -> None:
    _, page = page_for(case, today=date(2027, 12, 24))

    shown = page.widget.children[1].value

    assert "2027-12-31" in shown and "还剩 5 个工作日" in shown  # Mon 27 … Fri 31 December
    assert "临时" in shown  # 2027's holidays are not configured: the count is provisional


def test_an_incomplete_application_lists_every_problem_and_writes_nothing(
    case: dict[str, Any],
) -> None:
    _, page = page_for(case)
    fill(page)
    with page.a4.batch():
        page.a4.verdicts["R03"].value = None
        page.a4.vetoes["V02"].value = None
    with page.a5.batch():
        page.a5.stats["P002"]["certified"].value = 81
        page.a5.texts["issues"].value = " "
        page.a5.integrity.value = False
    audit = count(case, audit_log)

    page.submit_button.click()

    message = page.messages.widget.value
    assert "共 5 处" in message
    for text in ("R03", "V02", "P002", "取证人次多于考核人次", "问题与建议", "诚信声明"):
        assert text in message
    assert stored_case(case)["status"] == "待自评"
    assert count(case, audit_log) == audit


def test_another_institutions_case_cannot_be_opened(case: dict[str, Any]) -> None:
    ctx = context(case["world"], "head_a")

    page = self_evaluation.build(ctx, case["b"]["renewal_id"])

    assert "只能办理本机构" in page.children[1].value
    with pytest.raises(PermissionDenied, match="只能办理本机构"):
        ctx.run(save_renewal_application_draft, renewal_id=case["b"]["renewal_id"], application={})
    assert stored_case(case, "b")["application"] is None


def test_the_picker_lists_only_the_users_own_institutions_cases(case: dict[str, Any]) -> None:
    ctx = context(case["world"], "head_b")
    refused = count(case, refusals)

    page = self_evaluation.build(ctx)
    dropdown = page.children[1].children[0]
    dropdown.set_state({"index": 4})

    assert [v for _, v in dropdown.options] == [case["b"]["renewal_id"]]
    assert count(case, refusals) == refused + 1


def test_someone_who_is_not_an_institution_head_sees_a_refusal(case: dict[str, Any]) -> None:
    ctx = context(case["world"], case["experts"][0])

    page = self_evaluation.build(ctx, case["a"]["renewal_id"])

    assert "不是考核机构用户" in page.children[1].value


@pytest.mark.parametrize(
    ("field", "state"),
    [
        (lambda p: p.a5.flags["credit_good"], {"index": 3}),
        (lambda p: p.a5.site, {"index": 9}),
        (lambda p: p.a5.stats["P001"]["assessed"], {"value": "many"}),
        (lambda p: p.a5.integrity, {"value": "yes"}),
        (lambda p: p.a5.texts["summary"], {"value": {"html": "<script>"}}),
    ],
    ids=["flag", "site", "count", "checkbox", "text"],
)
def test_a_crafted_value_outside_a_fields_options_writes_nothing_and_is_logged(
    case: dict[str, Any], field: Any, state: dict[str, Any]
) -> None:
    _, page = page_for(case)
    widget = field(page)
    before = widget.value
    audit, refused = count(case, audit_log), count(case, refusals)

    widget.set_state(state)

    assert widget.value == before
    assert count(case, audit_log) == audit
    assert count(case, refusals) == refused + 1


def test_a_crafted_verdict_outside_the_options_writes_nothing_and_is_logged(
    case: dict[str, Any],
) -> None:
    _, page = page_for(case)
    audit, refused = count(case, audit_log), count(case, refusals)

    browser_sends(page.a4.widget, {"id": "R01", "field": "verdict", "value": "完全符合"})

    assert page.a4.verdicts["R01"].value is None
    assert count(case, audit_log) == audit
    assert count(case, refusals) == refused + 1


def test_a_crafted_click_on_the_disabled_submit_button_writes_nothing_and_is_logged(
    case: dict[str, Any],
) -> None:
    _, page = page_for(case)
    fill(page)
    page.submit_button.click()
    audit, refused = count(case, audit_log), count(case, refusals)

    page.submit_button._handle_button_msg(None, {"event": "click"}, [])

    assert count(case, audit_log) == audit
    assert count(case, refusals) == refused + 1


EVIDENCE_SHAPED = {  # as casework.domain.evidence.attachment5.prefill returns it
    "projects": [
        {"project_code": "P001", "assessed": 200, "certified": 150},
        {"project_code": "P002", "assessed": 0, "certified": 0},
    ],
    "assessed_in_term": True,
    "first_assessment_on": "2025-05-10",
    "site_tenure": ["自有"],
    "site_addresses": ["济南市历下区经十路1号"],
    "staff": {"evaluators": 7, "supervisors": 2, "question_experts": 3, "staff": 12},
    "question_banks": [{"project_code": "P001", "paper_sets": 4, "items": 320}],
}


@pytest.mark.parametrize("shape", ["evidence"])
def test_the_project_table_is_prefilled_from_assessment_data_when_the_intake_provides_it(
    case: dict[str, Any], monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    import casework.queries.evidence

    def prefill(store: Any, filing_id: int) -> Any:
        assert filing_id == case["a"]["filing_id"]
        return EVIDENCE_SHAPED

    monkeypatch.setattr(casework.queries.evidence, "attachment5_prefill", prefill)

    _, page = page_for(case)

    a5 = page.a5
    assert a5.stats["P001"]["assessed"].value == 200 and a5.stats["P001"]["certified"].value == 150
    assert a5.rates["P001"].value == "75.00%"
    assert "预填" in page.messages.widget.value
    if shape == "evidence":
        assert a5.counts["item_writers"].value == 3 and a5.counts["staff"].value == 12
        assert a5.banks["P001"]["papers"].value == 4 and a5.banks["P001"]["items"].value == 320
        assert a5.site.value == "自有场地" and a5.texts["site_address"].value.startswith("济南")
        assert a5.first_assessment.value == date(2025, 5, 10)


@pytest.mark.parametrize("provided", ["missing", "broken"])
def test_without_usable_assessment_data_the_project_table_starts_empty(
    case: dict[str, Any], monkeypatch: pytest.MonkeyPatch, provided: str
) -> None:
    import casework.queries.evidence

    def broken(store: Any, filing_id: int) -> Any:
        raise RuntimeError("intake data unreadable")

    if provided == "broken":
        monkeypatch.setattr(casework.queries.evidence, "attachment5_prefill", broken)

    _, page = page_for(case)

    assert all(s["assessed"].value == 0 for s in page.a5.stats.values())
    assert isinstance(page.widget, w.VBox) and "预填" not in page.messages.widget.value


def test_the_head_gets_the_blank_attachments_4_and_5_sent_with_the_notice_ren_01(
    case: dict[str, Any],
) -> None:
    """Issue #13: the institution's page offers the notice's blank forms, made for its round."""
    from casework.ui.case_documents import Offer, entitled_document

    ctx, page = page_for(case)
    round_id = int(stored_case(case)["round_id"])
    rid = case["a"]["renewal_id"]

    made = [
        entitled_document(ctx, Offer(k, round_id, via=rid)) for k in ("att4-blank", "att5-blank")
    ]

    shown = str(page.widget.children[-1].children)
    assert "续期评估明细表（空白）" in shown and "备案续期申请表（空白）" in shown
    assert [d.kind for d in made] == ["att4-blank", "att5-blank"]
    assert all("济南鲁锦织造有限公司" not in d.plain_text for d in made)


def test_a_blank_form_of_a_round_the_institution_is_not_in_is_refused(
    case: dict[str, Any],
) -> None:
    from casework.ui.case_documents import Offer, entitled_document

    ctx, _ = page_for(case)
    round_id = int(stored_case(case)["round_id"])
    refused = count(case, refusals)

    with pytest.raises(PermissionDenied, match="只能下载本机构"):
        entitled_document(ctx, Offer("att4-blank", round_id + 1, via=case["a"]["renewal_id"]))

    assert count(case, refusals) == refused + 1
