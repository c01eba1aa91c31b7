"""``casework`` command line: a thin layer that turns arguments into one package call each."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from casework.errors import CaseworkError, ValidationFailed
from casework.paths import VersionAction


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


DB_HELP = "数据库 URL 或 SQLite 文件路径（默认 CASEWORK_DB 或 ./casework.db）"


def _kinds() -> dict[str, Any]:
    from casework.intake.kinds import KINDS

    return dict(KINDS)


def _kind(text: str) -> str:
    """An import kind by its name or its Chinese label (``staff`` or ``人员花名册``)."""
    kinds = _kinds()
    by_label = {v.label: k for k, v in kinds.items()}
    return by_label.get(text.strip(), text.strip())


class _KindParser(argparse.ArgumentParser):
    """The ``import`` and ``template`` subcommands: their arguments name the import kinds,
    which live beside pandas and pandera (``casework.intake``, ~0.7 s to import), so they are
    added the first time the subcommand is parsed or its help shown — ``casework serve`` and
    ``casework demo`` start without them (issue #17)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fill: Any = None

    def _filled(self) -> None:
        if self.fill is not None:
            fill, self.fill = self.fill, None
            fill(self)

    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        self._filled()
        return super().parse_known_args(*args, **kwargs)

    def format_usage(self) -> str:
        self._filled()
        return super().format_usage()

    def format_help(self) -> str:
        self._filled()
        return super().format_help()


def _kind_argument(parser: argparse.ArgumentParser) -> None:
    kinds = "、".join(f"{k}（{v.label}）" for k, v in _kinds().items())
    parser.add_argument("kind", type=_kind, choices=list(_kinds()), help=f"导入类型：{kinds}")


def _import_arguments(imp: argparse.ArgumentParser) -> None:
    _kind_argument(imp)
    imp.add_argument("file", type=Path, help="csv 或 xlsx 文件")
    imp.add_argument("--as", dest="as_user", default=None, help="以该用户身份导入（默认系统）")
    imp.add_argument("--sheet", default=None, help="工作表名（默认自动识别）")


def _template_arguments(tpl: argparse.ArgumentParser) -> None:
    _kind_argument(tpl)
    tpl.add_argument("--output", "-o", type=Path, required=True, help="输出文件（.xlsx 或 .csv）")


def _deferred(sub: Any, name: str, fill: Any, **kwargs: Any) -> argparse.ArgumentParser:
    """A subcommand whose arguments ``fill`` adds when it is first used."""
    default_class, sub._parser_class = sub._parser_class, _KindParser
    try:
        parser = sub.add_parser(name, **kwargs)
    finally:
        sub._parser_class = default_class
    parser.fill = fill
    return parser


def _accept_db_anywhere(parser: argparse.ArgumentParser) -> None:
    """``--db`` before or after the subcommand: every subparser accepts it too.

    The subparsers' copy defaults to SUPPRESS so that it never overwrites the main one.
    """
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                if "--db" not in child._option_string_actions:
                    child.add_argument("--db", default=argparse.SUPPRESS, help=DB_HELP)
                _accept_db_anywhere(child)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casework", description="专项职业能力考核机构备案管理（鲁人社函〔2025〕23号）"
    )
    parser.add_argument("--db", default=None, help=DB_HELP)
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="创建或升级数据库，载入16个设区市")
    demo = sub.add_parser("demo", help="生成演示数据：全省16市的模拟机构与2023—2026年历史")
    demo.add_argument("--seed", type=int, default=2025)
    demo.add_argument("--institutions", type=int, default=240)
    demo.add_argument("--today", type=_date, default=None, help="演示数据的“今天”（默认当天）")
    adv = sub.add_parser(
        "advance", help="日终处理：逾期未自评、到期未续、续期不合格（可重复运行、可补跑）"
    )
    adv.add_argument("--today", type=_date, default=None)
    cat = sub.add_parser("catalog", help="考核机构目录")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True)
    export = cat_sub.add_parser("export", help="导出考核机构目录")
    export.add_argument(
        "--format", choices=("csv", "xlsx", "html"), default="csv", help="html：自包含的静态网页"
    )
    export.add_argument("--output", "-o", type=Path, default=None)
    export.add_argument("--city", default=None, help="只导出某市（行政区划代码）")
    serve = sub.add_parser("serve", help="用 Voilà 提供应用（加固设置）")
    serve.add_argument("--user", help="本服务的登录身份（用户名）；省略时按演示角色各起一个服务")
    serve.add_argument("--port", type=int, default=8866)
    serve.add_argument("--ip", default="127.0.0.1", help="监听地址（默认 127.0.0.1，仅本机）")
    serve.add_argument("--token", default=None, help="访问令牌（默认使用保存的令牌）")
    serve.add_argument("--rotate-token", action="store_true", help="换发新令牌（旧地址随即失效）")
    serve.add_argument(
        "--preheat",
        action="store_true",
        help="为首页、续期评估、遴选评估各预备一个内核（页面在访问到达时按当时数据生成）",
    )
    pages = sub.add_parser("pages", help="应用页面（笔记本）")
    pages.add_argument("pages_command", choices=("write",), help="重新生成 notebooks/ 下的页面")
    _deferred(
        sub, "import", _import_arguments, help="导入机构数据（csv 或 xlsx），全部成功或全部不写入"
    )
    _deferred(
        sub, "template", _template_arguments, help="下载导入模板（xlsx 含“说明”工作表，或 csv）"
    )
    audit = sub.add_parser("audit", help="审计日志")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="校验审计日志哈希链（并对照每个锚定记录）")
    anchor = audit_sub.add_parser(
        "anchor", help="把审计链和归档清单链的链头签名后追加到锚定文件（库外）"
    )
    verify.add_argument(
        "--edition",
        type=Path,
        action="append",
        default=[],
        help="已发布的考核机构目录 JSON（其记录的审计链头须仍在链上），可多次指定",
    )
    for p in (verify, anchor):
        p.add_argument(
            "--anchors", type=Path, default=None, help="锚定文件（默认 CASEWORK_ANCHORS）"
        )
        p.add_argument(
            "--key", type=Path, default=None, help="锚定密钥（默认 CASEWORK_ANCHOR_KEY）"
        )
    bak = sub.add_parser("backup", help="在线备份数据库和归档目录（写完即校验）")
    bak.add_argument("--output", "-o", type=Path, required=True, help="备份文件（.tar）")
    bak.add_argument("--root", type=Path, default=None, help="档案目录（默认 CASEWORK_ARCHIVE）")
    res = sub.add_parser("restore", help="由备份文件恢复数据库和归档目录（恢复后即校验）")
    res.add_argument("backup", type=Path, help="casework backup 写出的 .tar 文件")
    res.add_argument("--root", type=Path, default=None, help="档案目录（默认 CASEWORK_ARCHIVE）")
    res.add_argument("--force", action="store_true", help="覆盖已有数据的库和档案目录")
    from casework.reports.cli import add_parsers  # report, letter, archive

    add_parsers(sub)
    _accept_db_anywhere(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except CaseworkError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    from casework.store.engine import open_store

    if args.command == "pages":
        from casework.ui.pages import write_notebooks

        for path in write_notebooks():
            print(path)
        return 0
    if args.command == "serve":
        return serve(args)
    if args.command == "template":
        from casework.intake import write_template

        print(f"模板已生成：{write_template(args.kind, args.output)}")
        return 0
    if args.command == "restore":
        from casework.ops.backup import restore

        restored = restore(args.backup, args.db, root=args.root, force=args.force)
        print(restored.summary)
        return 0
    # verifying must not write: no migration on the file being checked
    store = open_store(args.db, migrate=args.command not in ("audit", "backup"))
    if args.command == "init":
        from casework.registry.scenario import seed_reference

        seed_reference(store)
        print(f"数据库已就绪：{store.engine.url.render_as_string(hide_password=True)}")
        return 0
    if args.command == "import":
        return _import(store, args)
    if args.command in ("report", "letter", "archive"):
        from casework.reports import cli as documents_cli

        return int(getattr(documents_cli, args.command)(store, args))
    if args.command == "demo":
        from casework.demo import build_demo

        summary = build_demo(
            store, seed=args.seed, institutions=args.institutions, today=args.today
        )
        print("演示数据已生成：" + "，".join(f"{k} {v}" for k, v in summary.items()))
        return 0
    if args.command == "advance":
        from casework.queries.training_clock import store_today
        from casework.registry import SYSTEM_ACTOR, advance

        # a demo store's day is its training clock's (EXIT-03's end dates follow it)
        done = advance(store, SYSTEM_ACTOR, today=args.today or store_today(store))
        print(
            f"逾期未提交续期申请 {len(done['lapsed_renewals'])} 件；到期未续终止备案 "
            f"{len(done['expired'])} 家；续期不合格终止备案 {len(done['failed_renewal'])} 家"
        )
        return 0
    if args.command == "catalog":
        from casework.dashboard.publish import publish_catalog

        exported = publish_catalog(store, fmt=args.format, output=args.output, city_code=args.city)
        print(f"考核机构目录已导出：{exported}")
        return 0
    if args.command == "audit":
        return _audit(store, args)
    if args.command == "backup":
        from casework.ops.backup import backup

        made = backup(store, args.output, root=args.root)
        print(made.summary)
        return 0
    raise AssertionError(args.command)  # pragma: no cover


def _audit(store: Any, args: argparse.Namespace) -> int:
    from casework.ops import anchor
    from casework.store import audit

    if args.audit_command == "anchor":
        made, key, created = anchor.write_anchor(store, args.anchors, args.key)
        if created:
            where = anchor.key_path(args.key, store.url)
            print(f"已生成锚定密钥（{key.alg}，仅本单位持有，权限 0600）：{where}")
        print(
            f"已锚定（{made.label}，{key.alg} 密钥 {key.key_id}）：审计日志第{made.audit_seq}条、"
            f"归档清单第{made.archive_seq}号、拒绝记录{made.refusals}条 → "
            f"{anchor.anchors_path(args.anchors, store.url)}"
        )
        return 0
    anchors = anchor.read_anchors(args.anchors, args.key, store.url)
    published = [pin for path in args.edition for pin in anchor.edition_pins(path)]
    with store.read() as conn:
        problems = audit.verify(conn, [*anchors.audit_pins(), *published])
        refused = anchors.refusal_problems(conn)
        count = conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar()
    lines = [f"[{p.kind}] {p.message}" for p in problems]
    lines += [f"[{anchor.ANCHOR_FILE}] {m}" for m in (*anchors.problems, *refused)]
    if lines:
        for line in lines:
            print(line, file=sys.stderr)
        print(f"审计日志校验失败：{len(lines)} 处问题", file=sys.stderr)
        return 1
    pinned = f"，与{len(anchors.anchors)}个锚定记录一致" if anchors.anchors else "（尚无锚定记录）"
    print(f"审计日志完好：共 {count} 条记录，哈希链校验通过{pinned}")
    return 0


def serve(args: argparse.Namespace) -> int:
    from casework import settings
    from casework.serve import serve_demo, serve_user
    from casework.store.engine import normalise_url

    db = (
        normalise_url(args.db) if args.db else (settings.DB.get() if settings.DB.is_set() else None)
    )
    if not args.user:
        return serve_demo(db, args.port, ip=args.ip, rotate_token=args.rotate_token)
    return serve_user(
        args.user,
        db,
        port=args.port,
        ip=args.ip,
        token=args.token,
        rotate_token=args.rotate_token,
        preheat=args.preheat,
    )


def _import(store: Any, args: argparse.Namespace) -> int:
    from casework.intake import import_file
    from casework.registry import SYSTEM_ACTOR, actor_for

    if not args.file.is_file():
        print(f"错误：找不到要导入的文件：{args.file}", file=sys.stderr)
        return 2
    if args.as_user:
        with store.read() as conn:
            actor = actor_for(conn, args.as_user)
    else:
        actor = SYSTEM_ACTOR
    try:
        result = import_file(store, actor, args.kind, args.file, args.file.name, sheet=args.sheet)
    except ValidationFailed as exc:
        print(exc.message, file=sys.stderr)
        print(exc.problems.to_string(index=False), file=sys.stderr)
        return 1
    print(result.summary)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
