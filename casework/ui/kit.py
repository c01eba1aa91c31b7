"""Small widget helpers shared by the apps: messages, guarded callbacks, guarded inputs.

The browser is untrusted. A crafted comm message may click a disabled button, enable a
read-only field or set a value outside a field's options. ``Guarded*`` inputs refuse values
outside their options and log the attempt; :func:`guarded` callbacks refuse clicks on disabled
buttons; and every write goes through a registry command, which re-checks role, case state and
input on the server.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd
from traitlets import TraitError

from casework.errors import CaseworkError, ValidationFailed
from casework.registry.uow import log_refusal
from casework.ui.context import AppContext

log = logging.getLogger("casework.ui")

CSS = """
<style>
.cw-title{font-size:20px;font-weight:600;margin:4px 0 8px}
.cw-error{color:#a61b1b;background:#fdecea;border:1px solid #f5c2c0;
  padding:6px 10px;border-radius:4px}
.cw-ok{color:#1d6b2f;background:#e9f6ec;border:1px solid #b9e2c3;padding:6px 10px;border-radius:4px}
.cw-info{color:#333;background:#f3f5f8;border:1px solid #dfe3e8;padding:6px 10px;border-radius:4px}
.cw-table{border-collapse:collapse;font-size:13px}
.cw-table th,.cw-table td{border:1px solid #ccd;padding:3px 8px;text-align:left}
.cw-table th{background:#eef1f6}
.cw-total{font-size:18px;font-weight:600}
.cw-progress{font-size:13px;font-weight:400}
.cw-overdue{color:#a61b1b;font-weight:600}
</style>
"""


def esc(value: Any) -> str:
    return html.escape(str(value))


def table_html(frame: pd.DataFrame, columns: dict[str, str] | None = None) -> str:
    """A DataFrame as an escaped HTML table with Chinese headers."""
    if columns:
        frame = frame[list(columns)].rename(columns=columns)
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc('' if pd.isna(v) else v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f'<table class="cw-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class Messages:
    """The app's message line: errors in Chinese naming the field and the rule, never a trace."""

    def __init__(self) -> None:
        self.widget = w.HTML(value="")

    def ok(self, text: str) -> None:
        self.widget.value = f'<div class="cw-ok">{esc(text)}</div>'

    def info(self, text: str) -> None:
        self.widget.value = f'<div class="cw-info">{esc(text)}</div>'

    def error(self, exc: BaseException | str) -> None:
        if isinstance(exc, ValidationFailed):
            text = f"{esc(exc.message)}{table_html(exc.problems)}"
        else:
            text = esc(exc)
        self.widget.value = f'<div class="cw-error">{text}</div>'

    def clear(self) -> None:
        self.widget.value = ""


def guarded(
    ctx: AppContext, messages: Messages, action: str, fn: Callable[..., Any]
) -> Callable[..., Any]:
    """A callback that refuses clicks on disabled buttons and shows errors in Chinese.

    Unexpected errors are logged on the server and shown as a short notice, never a traceback.
    """

    def run(*args: Any) -> Any:
        source = args[0] if args else None
        if isinstance(source, w.Button) and source.disabled:
            log_refusal(
                ctx.store, ctx.actor, action, "界面：点击了已禁用的按钮（可能是伪造的请求）"
            )
            messages.error("该操作当前不可用")
            return None
        try:
            return fn(*args)
        except CaseworkError as exc:
            messages.error(exc)
        except Exception:  # an app never shows a traceback
            log.exception("unexpected error in %s", action)
            messages.error("系统内部错误，已记录；请稍后重试或联系管理员")
        return None

    return run


class GuardedInput:
    """Mixin: a value from the browser outside the field's options is refused and logged."""

    ctx: AppContext | None = None
    field_label: str = ""

    def set_state(self, sync_data: dict[str, Any]) -> None:
        try:
            super().set_state(sync_data)  # type: ignore[misc]
        except (TraitError, ValueError, KeyError, IndexError) as exc:
            if self.ctx is not None:
                log_refusal(
                    self.ctx.store,
                    self.ctx.actor,
                    "界面输入",
                    f"字段“{self.field_label}”收到无效取值 {sync_data!r}：{exc}",
                )
            log.warning("refused widget state %r: %s", sync_data, exc)


class GuardedToggleButtons(GuardedInput, w.ToggleButtons):
    pass


class GuardedDropdown(GuardedInput, w.Dropdown):
    pass


class GuardedSelectMultiple(GuardedInput, w.SelectMultiple):
    pass


class GuardedText(GuardedInput, w.Text):
    pass


class GuardedIntText(GuardedInput, w.BoundedIntText):
    pass


class GuardedTextarea(GuardedInput, w.Textarea):
    pass


class GuardedCheckbox(GuardedInput, w.Checkbox):
    pass


class GuardedDatePicker(GuardedInput, w.DatePicker):
    pass


def guard(widget: Any, ctx: AppContext, label: str) -> Any:
    widget.ctx = ctx
    widget.field_label = label
    return widget


def title(text: str, subtitle: str = "") -> w.HTML:
    sub = f"<div>{esc(subtitle)}</div>" if subtitle else ""
    return w.HTML(CSS + f'<div class="cw-title">{esc(text)}</div>{sub}')


def refusal_page(heading: str, exc: BaseException | str) -> w.VBox:
    """What an app shows when it cannot open for this user or case."""
    messages = Messages()
    messages.error(exc)
    return w.VBox([title(heading), messages.widget])


def case_picker(
    ctx: AppContext,
    heading: str,
    label: str,
    options: list[tuple[str, int]],
    open_page: Callable[[int], w.Widget],
    action: str,
) -> w.VBox:
    """A page that lists the cases this user may open and opens the chosen one.

    The chosen id is re-checked against the offered ones; the page it opens re-checks the rest.
    """
    dropdown = guard(
        GuardedDropdown(options=options, description=label, layout=w.Layout(width="80%")),
        ctx,
        label,
    )
    holder = w.VBox()
    messages = Messages()

    def show(_b: Any = None) -> None:
        if dropdown.value not in {o[1] for o in options}:
            raise CaseworkError(f"所选{label}无效")
        holder.children = [open_page(int(dropdown.value))]

    open_button = w.Button(description="打开", button_style="primary")
    open_button.on_click(guarded(ctx, messages, action, show))
    return w.VBox([title(heading), w.HBox([dropdown, open_button]), messages.widget, holder])


def app_entry(heading: str, build: Callable[..., w.Widget], *args: Any) -> w.Widget:
    """A notebook's one call: the signed-in user's page, or a refusal page in Chinese."""
    from casework.ui.context import open_context

    try:
        ctx = open_context()
    except CaseworkError as exc:
        return refusal_page(heading, exc)
    return build(ctx, *args)
