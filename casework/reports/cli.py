"""The ``report``, ``letter`` and ``archive`` commands of the ``casework`` command line."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from casework.errors import CaseworkError
from casework.queries import keys
from casework.store.engine import Store


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def case_id(store: Store, label: str, text: str) -> int:
    """The record ``--case`` names: a public case number of the kind ``label`` calls for (a
    number of another kind is refused, naming both kinds), or the record number of a
    publication or report that has no public case number."""
    head = label.split("（")[0]
    kind = keys.KIND_OF_LABEL.get(head)
    if kind is not None:
        return keys.resolve_case(store, kind, text)
    if not text.strip().isdigit():
        raise CaseworkError(f"{head}应为数字，而不是“{text}”")
    return int(text)


def add_parsers(sub: Any) -> None:
    """Register ``report``, ``letter`` and ``archive`` on the main parser's subcommands."""
    from casework.documents import KINDS
    from casework.reports.procedures import PROCEDURES

    procs = "、".join(f"{k}（{p.label}，{p.case}）" for k, p in PROCEDURES.items())
    rep = sub.add_parser(
        "report",
        help="生成并归档已办结事项的报告（HTML 与 PDF）；多个案件或 --all 在一个进程内批量归档",
    )
    rep.add_argument("procedure", nargs="?", choices=list(PROCEDURES), help=f"办理事项：{procs}")
    rep.add_argument(
        "--case",
        nargs="+",
        default=[],
        help="案件编号（可列多个）：页面显示的编号，如 SQ-370100-2025-0012、3701ZK2025001",
    )
    rep.add_argument(
        "--all",
        dest="all_cases",
        action="store_true",
        help="归档全部已办结、尚未归档的事项（指定办理事项时只归档该事项；每个案件只归档一次）",
    )
    rep.add_argument("--on", type=_date, default=None, help="考核范围调整的日期（默认最近一次）")
    rep.add_argument("--as", dest="as_user", default=None, help="归档人用户名（默认系统）")
    rep.add_argument("--output", "-o", type=Path, default=None, help="另存 HTML 和 PDF 到此目录")
    kinds = "、".join(
        f"{k}（{v.label}{'，' + v.attachment if v.attachment != '—' else ''}）"
        for k, v in KINDS.items()
    )
    let = sub.add_parser("letter", help="生成公文：回执、撤销函、附件4—6、公告与公示")
    let.add_argument("kind", choices=list(KINDS), help=f"文书类型：{kinds}")
    let.add_argument(
        "--case",
        required=True,
        help="案件编号：页面显示的编号（见文书类型说明和 docs/case-numbers.md）",
    )
    let.add_argument(
        "--number", default=None, help="发文字号的序号（按 bureaus.yaml 的 doc_number）"
    )
    let.add_argument("--format", choices=("docx", "pdf"), default="docx")
    let.add_argument("--output", "-o", type=Path, default=Path("."), help="输出目录")
    let.add_argument("--date", type=_date, default=None, help="成文日期（默认按 bureaus.yaml）")
    let.add_argument("--department", default=None, help="落款部门（默认按 bureaus.yaml）")
    let.add_argument("--on", type=_date, default=None, help="范围调整回执的调整日期")
    arc = sub.add_parser("archive", help="电子档案：校验、保存期限、法律保全、销毁")
    arc.add_argument("--root", type=Path, default=None, help="档案目录（默认 CASEWORK_ARCHIVE）")
    arc_sub = arc.add_subparsers(dest="archive_command", required=True)
    arc_sub.add_parser("verify", help="重新计算全部文件的 SHA-256/SM3 并校验清单链")
    ret = arc_sub.add_parser("retention", help="列出保存期限已满、待作处置决定的档案（EXIT-08）")
    ret.add_argument("--today", type=_date, default=None)
    ret.add_argument("--all", action="store_true", help="列出全部档案及其状态")
    for name, text in (("hold", "法律保全"), ("release", "解除法律保全")):
        p = arc_sub.add_parser(name, help=text)
        p.add_argument(
            "target", help="filing:编号 或 application:编号" if name == "hold" else "保全编号"
        )
        p.add_argument("--reason", required=True)
        p.add_argument("--as", dest="as_user", required=True)
    for name, text in (("destroy", "决定销毁保存期满的档案"), ("keep", "决定继续保存")):
        p = arc_sub.add_parser(name, help=text)
        p.add_argument("seqs", type=int, nargs="+", help="归档记录编号")
        p.add_argument("--reason", required=True)
        p.add_argument("--as", dest="as_user", required=True)
        p.add_argument("--today", type=_date, default=None)


def _actor(store: Store, username: str | None) -> Any:
    from casework.registry import SYSTEM_ACTOR, actor_for

    if not username:
        return SYSTEM_ACTOR
    with store.read() as conn:
        return actor_for(conn, username)


def report(store: Store, args: argparse.Namespace) -> int:
    """One report (``--case X``), a batch (``--case X Y …``) or every completed procedure not
    archived yet (``--all``) — a batch in this one process (``archiving.archive_batch``)."""
    from casework.reports.procedures import procedure

    if args.all_cases:
        if args.case:
            raise CaseworkError("--all 与 --case 不能同时使用")
        return _report_all(store, args)
    if args.procedure is None or not args.case:
        raise CaseworkError("请指定办理事项和 --case 案件编号，或使用 --all")
    label = procedure(args.procedure).case
    cases = [case_id(store, label, text) for text in args.case]
    if len(cases) > 1:
        return _report_batch(store, args, cases)
    from casework.reports.archiving import ReportMaker, off_loop, store_report

    def run() -> Any:
        actor = _actor(store, args.as_user)
        maker = ReportMaker(store, actor)
        params, data = maker.resolve(args.procedure, cases[0], args.on)
        made = maker.make(params, data)
        if args.output:
            made.write(args.output)
        return store_report(store, actor, made)

    e = off_loop(run)
    _print_entry(e, args.case[0].strip())
    return 0


def _print_entry(e: Any, case_text: str) -> None:
    print(f"已归档：第{e.seq}号，{e.procedure} 案件{case_text}", flush=True)
    for f in e.files:
        print(f"  {f.name}  SHA-256 {f.sha256}  SM3 {f.sm3}", flush=True)


def _case_text(store: Store, procedure_key: str, case: int) -> str:
    """The public case number a report's case is shown by (its record number if it has none)."""
    from casework.reports.procedures import procedure

    kind = keys.KIND_OF_LABEL.get(procedure(procedure_key).case.split("（")[0])
    return keys.case_number_of(store, kind, case) if kind is not None else str(case)


def _printer(store: Store) -> Any:
    return lambda e: _print_entry(e, _case_text(store, e.procedure, e.case_id))


def _report_batch(store: Store, args: argparse.Namespace, cases: list[int]) -> int:
    from casework.reports.archiving import archive_batch

    actor = _actor(store, args.as_user)
    items = [(args.procedure, c, args.on) for c in cases]
    done = archive_batch(store, actor, items, on_archived=_printer(store))
    print(f"共归档 {len(done)} 份报告")
    return 0


def _report_all(store: Store, args: argparse.Namespace) -> int:
    from casework.reports.archiving import archive_all

    actor = _actor(store, args.as_user)
    chosen = [args.procedure] if args.procedure else None
    result = archive_all(store, actor, chosen, on_archived=_printer(store))
    for procedure_key, case, reason in result.skipped:
        print(f"未归档：{procedure_key} 案件{case}：{reason}", file=sys.stderr)
    print(f"共归档 {len(result.archived)} 份报告（此前已归档的不再归档）")
    return 0


def letter(store: Store, args: argparse.Namespace) -> int:
    from casework import documents

    path = documents.write(
        store,
        args.kind,
        case_id(store, documents.KINDS[args.kind].case, args.case),
        args.format,
        args.output,
        issued_on=args.date,
        department=args.department,
        on=args.on,
        number=args.number,
    )
    print(f"已生成：{path}")
    return 0


def archive(store: Store, args: argparse.Namespace) -> int:
    from casework import archive as arc

    root = args.root
    cmd = args.archive_command
    if cmd == "verify":
        problems = arc.verify(store, root)
        count = len(arc.entries(store))
        if problems:
            for p in problems:
                print(f"[{p.kind}] {p.message}", file=sys.stderr)
            print(f"档案校验失败：{len(problems)} 处问题", file=sys.stderr)
            return 1
        print(f"档案完好：共 {count} 条归档记录，文件 SHA-256/SM3 与清单链校验通过")
        return 0
    from casework.queries.training_clock import store_today

    today = getattr(args, "today", None) or store_today(store)
    if cmd == "retention":
        table = arc.retention_table(store, today) if args.all else arc.expired(store, today)
        if table.empty:
            print("没有保存期限已满、待作处置决定的档案")
        else:
            print(table.to_string(index=False))
        return 0
    actor = _actor(store, args.as_user)
    if cmd == "hold":
        hold = arc.place_hold(store, actor, subject=args.target, reason=args.reason)
        print(f"已法律保全：第{hold}号")
    elif cmd == "release":
        arc.release_hold(store, actor, hold_id=int(args.target), reason=args.reason)
        print(f"已解除法律保全：第{args.target}号")
    elif cmd == "destroy":
        removed = arc.destroy(store, actor, args.seqs, reason=args.reason, on=today, root=root)
        print(f"已记录销毁决定并删除 {len(removed)} 个文件")
    else:
        arc.decide_disposal(
            store, actor, entry_seqs=args.seqs, decision=arc.KEEP, reason=args.reason, on=today
        )
        print("已记录继续保存决定")
    return 0
