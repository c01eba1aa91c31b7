"""``casework`` command line: a thin layer that turns arguments into one package call each."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from casework.errors import CaseworkError, ValidationFailed


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _kinds() -> dict[str, Any]:
    from casework.intake.kinds import KINDS

    return dict(KINDS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casework", description="专项职业能力考核机构备案管理（鲁人社函〔2025〕23号）"
    )
    parser.add_argument(
        "--db", help="数据库 URL 或 SQLite 文件路径（默认 CASEWORK_DB 或 ./casework.db）"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="创建或升级数据库，载入16个设区市")
    demo = sub.add_parser("demo", help="生成演示数据：全省16市的模拟机构与2023—2026年历史")
    demo.add_argument("--seed", type=int, default=2025)
    demo.add_argument("--institutions", type=int, default=240)
    demo.add_argument("--today", type=_date, default=None, help="演示数据的“今天”（默认当天）")
    adv = sub.add_parser("advance", help="日终处理：逾期未自评、到期未续、续期不合格")
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
    serve.add_argument("--token", default=None, help="访问令牌（默认随机生成）")
    pages = sub.add_parser("pages", help="应用页面（笔记本）")
    pages.add_argument("pages_command", choices=("write",), help="重新生成 notebooks/ 下的页面")
    kinds = "、".join(f"{k}（{v.label}）" for k, v in _kinds().items())
    imp = sub.add_parser("import", help="导入机构数据（csv 或 xlsx），全部成功或全部不写入")
    imp.add_argument("kind", choices=list(_kinds()), help=f"导入类型：{kinds}")
    imp.add_argument("file", type=Path, help="csv 或 xlsx 文件")
    imp.add_argument("--as", dest="as_user", default=None, help="以该用户身份导入（默认系统）")
    imp.add_argument("--sheet", default=None, help="工作表名（默认自动识别）")
    imp.add_argument("--db", default=argparse.SUPPRESS, help="数据库 URL 或 SQLite 文件路径")
    tpl = sub.add_parser("template", help="下载导入模板（xlsx 含“说明”工作表，或 csv）")
    tpl.add_argument("kind", choices=list(_kinds()), help=f"导入类型：{kinds}")
    tpl.add_argument("--output", "-o", type=Path, required=True, help="输出文件（.xlsx 或 .csv）")
    audit = sub.add_parser("audit", help="审计日志")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="校验审计日志哈希链")
    from casework.reports.cli import add_parsers  # report, letter, archive

    add_parsers(sub)
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
    # verifying must not write: no migration on the file being checked
    store = open_store(args.db, migrate=args.command != "audit")
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
        from casework.registry import SYSTEM_ACTOR, advance

        done = advance(store, SYSTEM_ACTOR, today=args.today or date.today())
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
        from casework.store import audit

        with store.read() as conn:
            problems = audit.verify(conn)
            count = conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar()
        if problems:
            for p in problems:
                print(f"[{p.kind}] {p.message}", file=sys.stderr)
            print(f"审计日志校验失败：{len(problems)} 处问题", file=sys.stderr)
            return 1
        print(f"审计日志完好：共 {count} 条记录，哈希链校验通过")
        return 0
    raise AssertionError(args.command)  # pragma: no cover


def serve(args: argparse.Namespace) -> int:
    import os
    import subprocess

    from casework.serve import ServeOptions, serve_demo, serve_env, url, voila_argv
    from casework.store.engine import normalise_url

    db = normalise_url(args.db) if args.db else os.environ.get("CASEWORK_DB")
    if not args.user:
        return serve_demo(db, args.port)
    opts = (
        ServeOptions(port=args.port) if args.token is None else ServeOptions(args.port, args.token)
    )
    print(f"应用地址（{args.user}）：{url(opts)}")
    return subprocess.call(voila_argv(opts), env=serve_env(args.user, db))


def _import(store: Any, args: argparse.Namespace) -> int:
    from casework.intake import import_file
    from casework.registry import SYSTEM_ACTOR, actor_for

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
