"""The IPython extension behind ``%load_ext casework``: rich displays and case-officer magics.

Rich HTML displays (registered on IPython's ``text/html`` formatter, not on the classes, so
the domain stays free of display code): an institution's card, a filing's timeline, the
selection panel's verdict (Attachment 1) and the renewal group's Attachment 6 summary.

Magics (all read-only; writes go through the apps and the CLI)::

    %casework_db [URL]      show the store the magics read, or switch to URL
    %catalog [city]         the catalog of filings (城市代码 or 名称)
    %institution ID|USCC    an institution's card
    %timeline ID|CODE       a filing's dated events
    %deadlines [city]       open deadlines with working days left
    %audit_verify           check the hash chain of the audit log

This module is imported by ``load_ipython_extension`` only; storage and pandas load here.
"""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from casework.domain import lifecycle
from casework.ui.markup import esc

MAGICS = ("casework_db", "catalog", "institution", "timeline", "deadlines", "audit_verify")
CSS = (
    "<style>.cw-x{border-collapse:collapse;font-size:13px}.cw-x th,.cw-x td{border:1px solid "
    "#ccd;padding:3px 8px;text-align:left}.cw-x th{background:#eef1f6}"
    ".cw-x-red{color:#a61b1b;font-weight:600}</style>"
)


def _blank(value: Any) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str | tuple | list) and bool(pd.isna(value)))


def table(frame: Any, headers: dict[str, str] | None = None) -> str:
    """A DataFrame as an escaped HTML table (Chinese headers where given)."""
    if headers:
        frame = frame[list(headers)].rename(columns=headers)
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{'' if _blank(v) else esc(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f'<table class="cw-x"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def pairs(rows: list[tuple[str, Any]]) -> str:
    body = "".join(
        f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows if v not in ("", None)
    )
    return f'<table class="cw-x">{body}</table>'


# --- rich displays --------------------------------------------------------------------------
def card_html(card: Any) -> str:
    """An :class:`~casework.queries.cards.InstitutionCard` as HTML."""
    status = esc(card.status)
    if card.status != lifecycle.FILING_VALID:
        status = f'<span class="cw-x-red">{status}</span>'
    projects = "<br>".join(esc(p) for p in card.projects) or "（无）"
    rows = [
        ("考核机构", esc(card.name)),
        ("统一社会信用代码", esc(card.uscc)),
        ("城市", esc(f"{card.city}（{card.city_code}）")),
        ("机构代码", esc(card.code)),
        ("有效期", esc(card.term)),
        ("备案状态", status),
        ("终止原因", esc(card.end_reason)),
        ("终止日期", esc(card.ended_on or "")),
        ("主体灭失日期", esc(card.extinct_on or "")),
        ("考核项目", projects),
    ]
    return CSS + f"<h4>考核机构：{esc(card.name)}</h4>" + pairs(rows)


def timeline_html(timeline: Any) -> str:
    """A :class:`~casework.queries.cards.FilingTimeline` as HTML."""
    from casework.queries.cards import TIMELINE_HEADERS

    frame = timeline.frame.copy()
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    heading = f"<h4>备案时间线：{esc(timeline.institution)}（{esc(timeline.code)}）</h4>"
    return CSS + heading + table(frame, TIMELINE_HEADERS)


def attachment6_html(summary: Any) -> str:
    """An ``Attachment6Summary`` as HTML (续期评估组意见, Attachment 6)."""
    totals = summary.member_totals.rename("专家评分").rename_axis("专家").reset_index()
    groups = summary.group_totals.pivot_table(
        index=["group_no", "group", "max_points"], columns="member", values="points"
    ).reset_index()
    groups = groups.drop(columns="group_no").rename(
        columns={"group": "一级指标", "max_points": "分值"}
    )
    verdict = esc(summary.grade.label)
    if not summary.grade.passed:
        verdict = f'<span class="cw-x-red">{verdict}</span>'
    veto = "、".join(summary.veto.found_items) or "无"
    rows = [
        ("综合得分", esc(f"{summary.composite:g}")),
        ("等次", verdict),
        ("不合格项", esc(veto)),
        ("评分细则", esc(f"{summary.rubric_id}（{summary.rubric_version}）")),
        ("综合方法", esc(summary.method)),
    ]
    if summary.grade.report_immediately:
        rows.append(("报告", '<span class="cw-x-red">须立即报告备案所属市人社局（REN-06）</span>'))
    if summary.delta is not None:
        rows.append(("自评与评估组差值", esc(f"{summary.delta.delta_total:g}")))
    return (
        CSS
        + "<h4>续期评估组意见反馈表（附件6）</h4>"
        + pairs(rows)
        + "<h5>专家评分</h5>"
        + table(totals)
        + "<h5>一级指标得分</h5>"
        + table(groups)
    )


def verdict_html(verdict: Any) -> str:
    """A ``SelectionVerdict`` as HTML (遴选评估组意见, Attachment 1)."""
    frame = verdict.per_condition.copy()
    frame["votes"] = frame["members_met"].astype(str) + "/" + frame["members_total"].astype(str)
    frame["panel"] = frame["panel_met"].map({True: "符合", False: "不符合"})
    headers = {
        "sub_id": "条件编号",
        "kind": "类别",
        "text": "条件",
        "votes": "认定符合（人数）",
        "panel": "评估组意见",
    }
    eligible = (
        "符合备案条件" if verdict.eligible else '<span class="cw-x-red">不符合备案条件</span>'
    )
    rows = [
        ("结论", eligible),
        ("优先条件", esc("、".join(verdict.priority_met) or "无")),
        ("未满足条件", esc("、".join(verdict.unmet) or "无")),
        ("评估组成员", esc("、".join(verdict.members))),
        ("判定规则", esc("过半数" if verdict.rule == "majority" else "一致同意")),
        ("评估表版本", esc(f"{verdict.rubric_id}（{verdict.rubric_version}）")),
    ]
    return CSS + "<h4>遴选评估组意见（附件1）</h4>" + pairs(rows) + table(frame, headers)


def displays() -> dict[type, Any]:
    from casework.domain.scoring import Attachment6Summary, SelectionVerdict
    from casework.queries.cards import FilingTimeline, InstitutionCard

    return {
        InstitutionCard: card_html,
        FilingTimeline: timeline_html,
        Attachment6Summary: attachment6_html,
        SelectionVerdict: verdict_html,
    }


# --- magics ---------------------------------------------------------------------------------
@magics_class
class CaseworkMagics(Magics):
    """Read-only magics for case officers over one store."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self._store: Any = None

    @property
    def store(self) -> Any:
        if self._store is None:
            from casework.store.engine import open_store

            self._store = open_store()
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()
            self._store = None

    def _guard(self, fn: Any, *args: Any) -> Any:
        from casework.errors import CaseworkError

        try:
            return fn(*args)
        except CaseworkError as exc:  # a Chinese message, never a traceback
            raise UsageError(str(exc)) from None

    def city_code(self, text: str) -> str | None:
        """A city by code (370100), name (济南) or full name (济南市); None when blank."""
        from casework.queries.keys import city_code_of

        text = text.strip()
        if not text:
            return None
        code = city_code_of(self.store, text)
        if code is None:
            raise UsageError(f"未知城市“{text}”：请填写城市代码（如370100）或名称（如济南）")
        return str(code)

    @line_magic
    def casework_db(self, line: str) -> None:
        """%casework_db [URL]: show the store, or switch to URL (a path or SQLAlchemy URL)."""
        from casework.store.engine import open_store

        url = line.strip()
        if url:
            store = self._guard(open_store, url)
            self.close()
            self._store = store
        shown = self.store.engine.url.render_as_string(hide_password=True)
        print(f"{'已切换到' if url else '当前'}数据库：{shown}")

    @line_magic
    def catalog(self, line: str) -> Any:
        """%catalog [city]: 考核机构目录, with 终止备案 filings and their reasons."""
        from casework.queries.catalog import CATALOG_HEADERS, catalog

        frame = catalog(self.store, city_code=self.city_code(line))
        return frame[["filing_id", *CATALOG_HEADERS]].rename(
            columns={"filing_id": "备案编号", **CATALOG_HEADERS}
        )

    @line_magic
    def institution(self, line: str) -> Any:
        """%institution ID|USCC: an institution's card."""
        from casework.queries.cards import institution_card
        from casework.queries.keys import institution_id_by_uscc

        key = line.strip()
        if not key:
            raise UsageError("用法：%institution 机构编号或统一社会信用代码")
        if not key.isdigit():
            found = institution_id_by_uscc(self.store, key)
            if found is None:
                raise UsageError(f"未找到统一社会信用代码为“{key}”的考核机构")
            key = str(found)
        return self._guard(institution_card, self.store, int(key))

    @line_magic
    def timeline(self, line: str) -> Any:
        """%timeline ID|CODE: a filing's dated events."""
        from casework.queries.cards import timeline_of
        from casework.queries.keys import filing_id_by_code

        key = line.strip()
        if not key:
            raise UsageError("用法：%timeline 备案编号或机构代码")
        if not key.isdigit():
            found = filing_id_by_code(self.store, key)
            if found is None:
                raise UsageError(f"未找到机构代码为“{key}”的备案")
            key = str(found)
        return self._guard(timeline_of, self.store, int(key))

    @line_magic
    def deadlines(self, line: str) -> Any:
        """%deadlines [city]: open deadlines (notices, statements, self-evaluations)."""
        from casework.queries.catalog import open_deadlines
        from casework.queries.training_clock import store_today

        frame = open_deadlines(
            self.store, today=store_today(self.store), city_code=self.city_code(line)
        )
        headers = {
            "kind": "期限",
            "city_code": "城市代码",
            "subject": "事项",
            "case_id": "编号",
            "due": "截止日期",
            "workdays_left": "剩余工作日",
            "overdue": "已逾期",
            "provisional": "临时推算",
            "rule_id": "规则",
        }
        return frame.rename(columns=headers)

    @line_magic
    def audit_verify(self, line: str) -> Any:
        """%audit_verify: walk the audit log's hash chain; returns the problems, if any."""
        import pandas as pd

        from casework.queries.audit import audit_check

        checked = audit_check(self.store)
        if checked.intact:
            print(f"审计日志完整：共{checked.entries}条记录，哈希链校验通过")
            return None
        print(f"审计日志校验未通过：发现{len(checked.problems)}处问题")
        return pd.DataFrame(
            [(p.seq, p.kind, p.message) for p in checked.problems],
            columns=["序号", "问题", "说明"],
        )


def load(ipython: Any) -> None:
    """Register the rich displays and the magics on ``ipython``."""
    formatter = ipython.display_formatter.formatters["text/html"]
    for kind, render in displays().items():
        formatter.for_type(kind, render)
    ipython.register_magics(CaseworkMagics(ipython))


def unload(ipython: Any) -> None:
    """Remove what :func:`load` registered and close the store."""
    formatter = ipython.display_formatter.formatters["text/html"]
    for kind in displays():
        formatter.pop(kind, None)
    manager = ipython.magics_manager
    magics = manager.registry.pop(CaseworkMagics.__name__, None)
    if magics is not None:
        magics.close()
    for name in MAGICS:
        manager.magics["line"].pop(name, None)
