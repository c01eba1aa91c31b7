"""The widgets shared by the apps: messages, guarded callbacks and inputs, tables, the case
picker, the notebook entry, layout and form fields, and the action panel.

The browser is untrusted. A crafted comm message may click a disabled button, enable a
read-only field or set a value outside a field's options. ``Guarded*`` inputs refuse values
outside their options and log the attempt; :func:`guarded` callbacks refuse clicks on disabled
buttons; and every write goes through a registry command, which re-checks role, case state and
input on the server.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

import ipywidgets as w
import pandas as pd
from ipywidgets.widgets.widget_description import DescriptionStyle
from traitlets import TraitError

from casework.domain import limits
from casework.errors import CaseworkError, ValidationFailed
from casework.registry.uow import log_refusal
from casework.ui.context import AppContext
from casework.ui.drafts import FormDraft
from casework.ui.markup import esc

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

WIDE = w.Layout(width="80%")
SUSPENDED_BANNER = "考核活动和证书数据审核上网已暂停（EXIT-04）"


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
            log_forged(ctx, action, "界面：点击了已禁用的按钮")
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


FORGED = "伪造请求"
"""The refusals log's command for a request the page could not have sent (a disabled button
clicked, a value outside a field's options): kept apart from ordinary input refusals."""
INVALID_INPUT = "界面输入"
"""The refusals log's command for an input a person may type but may not submit (too long,
control characters)."""


def log_forged(ctx: AppContext, action: str, what: str) -> None:
    """Log a forged request: in the refusals table under :data:`FORGED` and on the server."""
    log.warning("forged request in %s by %s: %s", action, ctx.actor.username, what)
    log_refusal(ctx.store, ctx.actor, FORGED, f"{action}：{what}（可能是伪造的请求）")


class GuardedInput:
    """Mixin: a value from the browser outside the field's options is refused and logged as
    forged; a text over the field's length or with control characters (``max_length``,
    :mod:`casework.domain.limits`) is refused as an ordinary input error and the field reverts."""

    ctx: AppContext | None = None
    field_label: str = ""
    max_length: int | None = None

    def _shown(self, sync_data: dict[str, Any]) -> str:
        return limits.shown(repr(sync_data), 80)

    def set_state(self, sync_data: dict[str, Any]) -> None:
        value = sync_data.get("value")
        if self.max_length is not None and isinstance(value, str):
            problem = limits.text_problem(value, self.max_length)
            if problem is not None:
                if self.ctx is not None:
                    log_refusal(
                        self.ctx.store,
                        self.ctx.actor,
                        INVALID_INPUT,
                        f"字段“{self.field_label}”{problem}：{limits.shown(value)}",
                    )
                log.info("refused text for %s: %s", self.field_label, problem)
                self.send_state("value")  # type: ignore[attr-defined]  # the browser reverts
                return
        try:
            super().set_state(sync_data)  # type: ignore[misc]
        except (TraitError, ValueError, KeyError, IndexError) as exc:
            what = f"字段“{self.field_label}”收到选项以外的取值 {self._shown(sync_data)}：{exc}"
            if self.ctx is not None:
                log_forged(self.ctx, INVALID_INPUT, what)
            log.warning("refused widget state %s: %s", self._shown(sync_data), exc)


class GuardedToggleButtons(GuardedInput, w.ToggleButtons):
    pass


class GuardedDropdown(GuardedInput, w.Dropdown):
    pass


class GuardedSelectMultiple(GuardedInput, w.SelectMultiple):
    pass


class GuardedText(GuardedInput, w.Text):
    max_length = limits.TITLE


class GuardedIntText(GuardedInput, w.BoundedIntText):
    pass


class GuardedTextarea(GuardedInput, w.Textarea):
    max_length = limits.LONG_TEXT


class GuardedCheckbox(GuardedInput, w.Checkbox):
    pass


class GuardedDatePicker(GuardedInput, w.DatePicker):
    pass


def guard(widget: Any, ctx: AppContext, label: str, max_length: int | None = None) -> Any:
    widget.ctx = ctx
    widget.field_label = label
    if max_length is not None:
        widget.max_length = max_length
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
    address: str | None = None,
) -> w.VBox:
    """A page that lists the cases this user may open and opens the chosen one.

    The chosen id is re-checked against the offered ones; the page it opens re-checks the rest.
    With ``address``, the case the page's address names under that key (the index's 待办 links)
    is chosen and opened as if picked; one not offered to this user is refused with a message.
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

    def open_named(case_id: int | None) -> None:
        if case_id is None:
            return
        if case_id not in {o[1] for o in options}:
            log_refusal(ctx.store, ctx.actor, action, f"地址所指的{label}（编号{case_id}）不可打开")
            messages.error(f"地址所指的{label}不在您可以打开的范围内，请从列表中选择")
            return
        dropdown.value = case_id
        guarded(ctx, messages, action, show)()

    if address is not None:
        when_address_known(address, open_named)
    return w.VBox([title(heading), w.HBox([dropdown, open_button]), messages.widget, holder])


def log_refused_open(heading: str, exc: BaseException) -> None:
    """#16: a page refused before anyone is known (no or an unknown sign-in) is logged too."""
    from casework import settings
    from casework.registry.actors import Actor
    from casework.store.engine import open_store

    try:
        store = open_store()
        who = settings.signed_in_username() or "（未登录）"
        log_refusal(store, Actor(who, "未知"), f"打开页面：{heading}", str(exc))
        store.dispose()
    except Exception:  # the refusal page is shown whatever happens to its log line
        log.exception("could not log a refused page open")


def app_entry(heading: str, build: Callable[..., w.Widget], *args: Any) -> w.Widget:
    """A notebook's one call: the signed-in user's page, or a refusal page in Chinese.

    In a preheated kernel the page is built once its request arrives (:func:`when_requested`),
    so it shows the data as of the visit, not as of the preheating, and reads its address; the
    preheated page is an empty frame the content is put into."""
    if preheated_before_visit():
        frame = w.VBox()

        def fill() -> None:
            try:
                frame.children = (_entry(heading, build, *args),)
            except Exception:  # as an error in the page's cell would: said, not left blank
                log.exception("building the preheated page %s failed", heading)
                frame.children = (
                    plain_html(f"<p>{esc(heading)}：页面生成失败，请刷新页面或联系管理员。</p>"),
                )

        when_requested(fill)
        return frame
    return _entry(heading, build, *args)


def _entry(heading: str, build: Callable[..., w.Widget], *args: Any) -> w.Widget:
    from casework.ui.context import open_context

    try:
        ctx = open_context()
    except CaseworkError as exc:
        log_refused_open(heading, exc)
        return refusal_page(heading, exc)
    page = build(ctx, *args)
    if not ctx.training:
        return page
    from casework.ui.training import training_line

    return w.VBox([training_line(ctx), page])


def kernel_loop() -> Any:
    """The kernel's event loop when running in one (a served page), else None (tests, scripts)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return getattr(getattr(get_ipython(), "kernel", None), "io_loop", None)


def id_from_address(name: str, query: str | None = None) -> int | None:
    """The id ``name`` in the page's address (``…/renewal_scoring.ipynb?panel=12``), as Voilà
    passes it to the kernel (``QUERY_STRING``, or ``query``); None when absent or not a positive
    number. Only a hint of which case to open: the page re-checks who may see it."""
    from urllib.parse import parse_qs

    from casework import settings

    values = parse_qs(settings.QUERY_STRING.get() if query is None else query).get(name, [])
    if not values or not values[0].isascii() or not values[0].isdigit():
        return None
    number = int(values[0])
    return number if 0 < number < 2**63 else None


class _Visit:
    """This kernel's wait for its visit (a preheated kernel runs its page before anyone asks)."""

    arrived: ClassVar[bool] = False
    waiting: ClassVar[list[Callable[[], None]]] = []
    waiter: ClassVar[threading.Thread | None] = None


def preheated_before_visit() -> bool:
    """True in a preheated kernel until the request that takes it arrives: Voilà ran the page
    before anyone asked for it, so the address is not known yet and any data read now would be
    shown as it was when the kernel was preheated."""
    from casework import settings

    return (
        not _Visit.arrived and kernel_loop() is not None and settings.VOILA_PREHEAT.get() == "True"
    )


def when_requested(then: Callable[[], None]) -> None:
    """Call ``then`` once the page's request is known: at once, except in a preheated kernel,
    where one worker thread waits for the request (``voila.utils.get_query_string``, which puts
    the address into ``QUERY_STRING``) and ``then`` runs on the kernel's own thread."""
    if not preheated_before_visit():
        then()
        return
    _Visit.waiting.append(then)
    if _Visit.waiter is not None:
        return
    loop = kernel_loop()

    def wait() -> None:
        from casework import settings

        pause = 0.2
        while True:
            try:
                from voila.utils import get_query_string

                get_query_string()  # sets QUERY_STRING, SCRIPT_NAME … once the request arrives
            except Exception:
                log.exception("waiting for the page's request failed")
            if settings.SCRIPT_NAME.is_set():
                break
            # Voilà gives up quietly when its socket fails (the request info stays cached
            # for this kernel): ask again rather than build the page without its request
            log.warning("preheated kernel: no request info yet, asking again in %.1f s", pause)
            time.sleep(pause)
            pause = min(pause * 2, 5.0)
        loop.add_callback(_visit_arrived)

    _Visit.waiter = threading.Thread(target=wait, name="casework-visit", daemon=True)
    _Visit.waiter.start()


def _visit_arrived() -> None:
    _Visit.arrived = True
    waiting, _Visit.waiting = _Visit.waiting, []
    for then in waiting:  # one page part failing must not stop the others
        _logged(then, "building the page after its request")


def when_address_known(name: str, then: Callable[[int | None], None]) -> None:
    """Call ``then`` with the id ``name`` in the page's address, once the address is known
    (:func:`when_requested`). In a served kernel ``then`` runs on the kernel's next turn, after
    the page's cell: the page goes out with its picker at once and the named case (a sheet) is
    opened while the browser is still loading Voilà's scripts, as if picked by a quick hand."""

    def known() -> None:
        found = id_from_address(name)
        soon(lambda: then(found), "opening the case named in the address")

    when_requested(known)


def in_background(compute: Callable[[], Any], apply: Callable[[Any], None], what: str) -> None:
    """Compute auxiliary content (evidence hints) in a worker thread and apply the result on the
    kernel's own thread, so the page stays answerable meanwhile; both at once outside a kernel
    (tests, scripts). ``compute`` must only read; an error is logged, never shown."""
    loop = kernel_loop()
    if loop is None:
        _logged(lambda: apply(compute()), f"background {what}")
        return

    def work() -> None:
        try:
            result = compute()
        except Exception:
            log.exception("background %s failed", what)
            return
        # tornado's thread-safe hand-over to the kernel's own thread
        loop.add_callback(lambda: _logged(lambda: apply(result), f"applying background {what}"))

    threading.Thread(target=work, name=f"casework-{what}", daemon=True).start()


def _logged(fn: Callable[[], None], what: str) -> None:
    """Run auxiliary work: an error is logged, never shown (the page works without it)."""
    try:
        fn()
    except Exception:
        log.exception("%s failed", what)


def soon(fn: Callable[[], None], what: str) -> None:
    """Run ``fn`` once the kernel has handled the current request, so the page it built is shown
    first (the rest of a page: the leader's Attachment 6 view, the case documents); at once
    outside a kernel (tests, scripts). An error is logged, never shown. Work that only reads and
    takes long goes to :func:`in_background` instead."""
    loop = kernel_loop()
    if loop is None:
        _logged(fn, f"deferred {what}")
    else:
        loop.call_later(0.01, lambda: _logged(fn, f"deferred {what}"))


# --- layout -------------------------------------------------------------------------------
_SHARED: dict[tuple[type, tuple[tuple[str, Any], ...]], w.Widget] = {}


def shared(kind: type[Any], **traits: Any) -> Any:
    """One ``kind`` (a ``Layout`` or a style class) per set of ``traits``, shared by every widget
    that asks for it: a widget's own layout and style are two more models, frames and round trips
    each (a 43-item sheet had 414 of its 656 models for them). Never change a shared object's
    traits: every widget that uses it would change."""
    key = (kind, tuple(sorted(traits.items())))
    found = _SHARED.get(key)
    if found is None or getattr(found, "comm", None) is None:  # none yet, or closed
        found = _SHARED[key] = kind(**traits)
    return found


def layout(**traits: Any) -> w.Layout:
    """A shared :class:`ipywidgets.Layout` (see :func:`shared`)."""
    found: w.Layout = shared(w.Layout, **traits)
    return found


def style(kind: type[Any] = DescriptionStyle, **traits: Any) -> Any:
    """A shared style of ``kind`` (:class:`DescriptionStyle` of most inputs, :class:`HTMLStyle`,
    ``ToggleButtonsStyle`` …, see :func:`shared`)."""
    return shared(kind, **traits)


def plain_html(value: str = "", width: str | None = None) -> w.HTML:
    """Read-only text with a shared layout and style: one model, not three (a long form shows
    dozens)."""
    from ipywidgets.widgets.widget_string import HTMLStyle

    sized = layout(width=width) if width else layout()
    return w.HTML(value, layout=sized, style=style(HTMLStyle))


def options(frame: pd.DataFrame, key: str, label: Callable[[Any], str]) -> list[Any]:
    """Dropdown options ``(label, id)`` for each row of ``frame``."""
    return [(label(r), int(r[key])) for r in frame.to_dict("records")]


def section(heading: str, *children: w.Widget) -> w.VBox:
    return w.VBox(
        [w.HTML(f"<h3>{esc(heading)}</h3>"), *children],
        layout=w.Layout(border="1px solid #dfe3e8", padding="6px 10px", margin="6px 0"),
    )


def info(text: str) -> w.HTML:
    return w.HTML(f'<div class="cw-info">{esc(text)}</div>')


def chosen(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


# --- form fields ----------------------------------------------------------------------------
def text_area(placeholder: str, value: str = "", description: str = "") -> w.Textarea:
    return w.Textarea(
        value=value,
        placeholder=placeholder,
        description=description,
        continuous_update=False,
        layout=w.Layout(width="90%", height="70px"),
        style={"description_width": "initial"},
    )


def date_field(description: str, value: date | None) -> w.DatePicker:
    return w.DatePicker(
        value=value, description=description, style={"description_width": "initial"}
    )


def picked_date(ctx: AppContext, widget: w.DatePicker, rule_id: str) -> date:
    """The date of a past fact: required, and not after today."""
    value = widget.value
    if value is None:
        raise CaseworkError(f"请选择{widget.description}", rule_id=rule_id)
    if value > ctx.today:
        raise CaseworkError(
            f"{widget.description}{value}晚于今天（{ctx.today}），不能登记将来的日期",
            rule_id=rule_id,
        )
    return value


def as_id(value: Any, what: str) -> int:
    """A page parameter as an id (a URL parameter arrives as text)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise CaseworkError(f"{what}编号“{value}”无效") from None
    if number <= 0:
        raise CaseworkError(f"{what}编号“{value}”无效")
    return number


def blank(value: Any) -> bool:
    """None, NaN, NaT or only whitespace."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or bool(pd.isna(value))


def fields_html(rows: list[tuple[str, Any]]) -> str:
    """A two-column table of the non-empty fields, escaped, line breaks kept."""
    body = "".join(
        f"<tr><th>{esc(k)}</th><td style='white-space:pre-wrap'>{esc(v)}</td></tr>"
        for k, v in rows
        if not blank(v)
    )
    return f'<table class="cw-table">{body}</table>'


# --- actions ------------------------------------------------------------------------------
SHOWN_ONLY = (w.HTML, w.HTMLMath, w.Label)
"""Widgets in an action's fields that show something and are not part of its draft."""


@dataclass
class Action:
    """One action a user may take now: its form fields and the command it runs."""

    key: str
    label: str
    run: Callable[[], str]
    """Runs the registry command with the fields' values; returns the success message."""
    fields: dict[str, Any] = field(default_factory=dict)
    blocked: str = ""
    """Why the action cannot be taken yet (the button is shown disabled with this note)."""
    note: str = ""
    button: str = "确认办理"


class ActionPanel:
    """The actions allowed now, one form at a time.

    It offers exactly the actions the caller lists — the ones the lifecycle allows in the case's
    current state — as guarded toggle buttons, and shows the chosen action's form; each form is
    saved as the user's draft as it is typed (page ``<app>:<action>``) and forgotten once the
    action succeeded. A crafted choice outside the options is refused and logged; every write
    is a registry command, which re-checks everything.
    """

    def __init__(
        self,
        ctx: AppContext,
        messages: Messages,
        actions: list[Action],
        on_done: Callable[[], None],
        label: str = "办理事项",
        drafts: tuple[str, str] | None = None,
    ) -> None:
        """``drafts=(app, case_key)`` keeps each action's form as a draft of page
        ``app:action`` for ``case_key``."""
        self.actions = {a.key: a for a in actions}
        self.fields = {a.key: a.fields for a in actions}
        self.buttons: dict[str, w.Button] = {}
        self.forms: dict[str, w.Widget] = {}
        self.drafts: dict[str, FormDraft] = {}
        self._on_done = on_done
        for a in actions:
            inputs = {k: v for k, v in a.fields.items() if not isinstance(v, SHOWN_ONLY)}
            if drafts is not None and inputs:
                app, case_key = drafts
                self.drafts[a.key] = FormDraft(ctx, f"{app}:{a.key}", case_key, inputs)
            button = w.Button(
                description=a.button, button_style="primary", disabled=bool(a.blocked)
            )
            button.on_click(guarded(ctx, messages, a.label, lambda _b, a=a: self._run(messages, a)))
            notes = [w.HTML(f'<div class="cw-info">{esc(a.note)}</div>')] if a.note else []
            if a.blocked:
                notes.append(w.HTML(f'<div class="cw-overdue">{esc(a.blocked)}</div>'))
            self.buttons[a.key] = button
            self.forms[a.key] = w.VBox([*notes, *a.fields.values(), button])
        self.choice = guard(
            GuardedToggleButtons(
                options=[(a.label, a.key) for a in actions],
                value=actions[0].key if len(actions) == 1 else None,
                style={"button_width": "auto"},
            ),
            ctx,
            label,
        )
        self.body = w.VBox()
        self.choice.observe(self._show, names="value")
        self._show()
        if actions:
            self.widget: w.Widget = w.VBox([w.HTML(f"<b>{esc(label)}</b>"), self.choice, self.body])
        else:
            self.widget = w.HTML('<div class="cw-info">当前状态下没有可办理的事项</div>')

    @property
    def offered(self) -> tuple[str, ...]:
        """The keys of the actions on offer."""
        return tuple(self.actions)

    def _show(self, _change: Any = None) -> None:
        key = self.choice.value
        self.body.children = [self.forms[key]] if key in self.forms else []

    def _run(self, messages: Messages, action: Action) -> None:
        text = action.run()
        if action.key in self.drafts:
            self.drafts[action.key].clear()  # done: the form is rebuilt empty
        self._on_done()
        messages.ok(text)
