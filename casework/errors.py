"""The package's exceptions: one base class, one subclass per kind of refusal.

Every message a user may see is Simplified Chinese and names the value, the state and the
rule ID of the regulation (see ``../shared/regulation/RULES.md``) where one applies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class CaseworkError(Exception):
    """Base class of every error casework raises on purpose."""

    def __init__(self, message: str, *, rule_id: str | None = None, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.rule_id = rule_id
        self.context = context

    def __str__(self) -> str:
        if self.rule_id and self.rule_id not in self.message:
            return f"{self.message}（{self.rule_id}）"
        return self.message


class RuleViolation(CaseworkError):
    """A command would break a rule of the notice; nothing was written."""


class QuotaExceeded(RuleViolation):
    """A quota of SEL-07 would be exceeded and no override reason was recorded."""


class IllegalTransition(RuleViolation):
    """The lifecycle does not allow this action in the case's current state."""

    def __init__(self, action: str, state: str, *, rule_id: str | None = None) -> None:
        super().__init__(
            f"当前状态“{state}”下不能执行“{action}”", rule_id=rule_id, action=action, state=state
        )
        self.action = action
        self.state = state


class CalendarNotConfigured(CaseworkError):
    """A date lies in a year whose official holiday schedule is not known."""


class NotFound(CaseworkError):
    """The record asked for does not exist."""


class PermissionDenied(CaseworkError):
    """The acting user's role or binding does not allow the command."""


class ValidationFailed(CaseworkError):
    """A table failed its schema; ``problems`` lists every failure at once.

    ``problems`` is a DataFrame with the columns 行, 列, 值, 要求, 规则 (row, column, value,
    expectation, rule ID), ready to show to a user.
    """

    def __init__(self, message: str, problems: pd.DataFrame, *, rule_id: str | None = None):
        super().__init__(message, rule_id=rule_id)
        self.problems = problems

    def __str__(self) -> str:
        lines = [self.message]
        for rec in self.problems.head(50).to_dict("records"):
            lines.append("；".join(f"{k}：{v}" for k, v in rec.items()))
        if len(self.problems) > 50:
            lines.append(f"……另有 {len(self.problems) - 50} 项问题")
        return "\n".join(lines)


class SheetInvalid(ValidationFailed):
    """A scoring sheet is incomplete or inconsistent (REN-07, SEL-04)."""


class AuditChainBroken(CaseworkError):
    """The hash chain of the audit log does not verify."""
