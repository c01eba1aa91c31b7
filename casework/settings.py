"""Every setting casework reads from its environment, in one table (after datasette's settings).

Each :class:`Setting` names its environment variable, its default and its meaning in Chinese;
the README's 设置 table is rendered from :data:`SETTINGS` (``python -m casework.settings
--markdown``) and a test fails when the two differ. Code reads a setting only through this
module (``settings.DB.get()``), never ``os.environ`` directly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

Environ = Mapping[str, str]


@dataclass(frozen=True)
class Setting:
    """One environment variable: its default and what it means (Chinese, for the README)."""

    env: str
    meaning: str
    default: str = ""
    shown_default: str = ""
    """How the README shows the default (``default`` in backquotes when empty, else "无")."""

    def get(self, environ: Environ | None = None) -> str:
        """The configured value (surrounding blanks removed), else the default."""
        env = os.environ if environ is None else environ
        return env.get(self.env, "").strip() or self.default

    def is_set(self, environ: Environ | None = None) -> bool:
        env = os.environ if environ is None else environ
        return bool(env.get(self.env, "").strip())

    @property
    def default_text(self) -> str:
        if self.shown_default:
            return self.shown_default
        return f"`{self.default}`" if self.default else "无"


# --- the store, the policy files, the documents ---------------------------------------------
DB = Setting(
    "CASEWORK_DB",
    "数据库 URL 或 SQLite 文件路径",
    "casework.db",
    "`./casework.db`（`make run` 用 `var/casework.db`）",
)
SCHEMAS = Setting(
    "CASEWORK_SCHEMAS",
    "本省政策数据目录：其中的文件按相对路径逐个覆盖随包发布的政策数据（评分细则、节假日安排、"
    "参考数据、`bureaus.yaml`），生效版本见 `casework --version`",
    shown_default="随包发布的 `schemas/`",
)
CODE_PATTERN = Setting(
    "CASEWORK_CODE_PATTERN",
    "机构代码格式（字段：`city_code`、`city4`、`year`、`seq`）",
    "{city4}ZK{year}{seq:03d}",
    "`{city4}ZK{year}{seq:03d}`，如 `3701ZK2025001`",
)
BUREAUS = Setting(
    "CASEWORK_BUREAUS",
    "各市技能人才评价管理部门名称等落款配置（YAML，合并在政策数据的 `bureaus.yaml` 之上）",
    shown_default="无（只用 `bureaus.yaml`）",
)
ARCHIVE = Setting(
    "CASEWORK_ARCHIVE",
    "证据归档目录（内容寻址的文件）；相对路径相对于数据库所在目录，与工作目录无关",
    shown_default="SQLite 数据库所在目录下的 `archive/`（`make run` 即 `var/archive`）；"
    "PostgreSQL 时为 `~/.local/share/casework/archive`",
)
ARCHIVE_ON_SUBMIT = Setting(
    "CASEWORK_ARCHIVE_ON_SUBMIT",
    "应用提交时是否在后台生成归档报告（`0` 关闭，改用 `casework report` 批量生成）",
    "1",
)
TOKENS = Setting(
    "CASEWORK_TOKENS",
    "`casework serve` 保存每个用户访问令牌的目录（文件权限 0600，重启后地址不变，"
    "`--rotate-token` 换发）；相对路径相对于数据库所在目录",
    shown_default="SQLite 数据库所在目录下的 `tokens/`（`make run` 即 `var/tokens`）",
)
FORK_KERNELS = Setting(
    "CASEWORK_FORK_KERNELS",
    "应用页面的内核是否由预载了 casework 的父进程派生（`1` 是：几乎即开、共享内存；`0` 否：每页一个"
    "全新进程）",
    "1",
)
ANCHORS = Setting(
    "CASEWORK_ANCHORS",
    "锚定文件：`casework audit anchor` 把审计链、归档清单链的链头和拒绝记录摘要签名后逐行追加于此"
    "（库外，宜放在只追加或另一台机器的存储上）；`casework audit verify`、"
    "`casework archive verify` 对照其中每一行",
    shown_default="SQLite 数据库所在目录下的 `anchors.jsonl`（`make run` 即 `var/anchors.jsonl`）",
)
ANCHOR_KEY = Setting(
    "CASEWORK_ANCHOR_KEY",
    "锚定签名密钥：Ed25519 私钥（PEM，权限 0600，首次锚定时自动生成并写出 `.pub` 公钥）"
    "或十六进制的 HMAC-SHA256 密钥（无密钥体系时）",
    shown_default="SQLite 数据库所在目录下的 `anchor.key`",
)

# --- who is signed in -----------------------------------------------------------------------
USER = Setting(
    "CASEWORK_USER",
    "单机部署时本服务的登录身份（用户名）",
    shown_default="无（必须配置或由 JupyterHub 提供）",
)
HUB_USER = Setting(
    "JUPYTERHUB_USER",
    "JupyterHub 提供的登录身份（优先）",
    shown_default="—（由 JupyterHub 设置）",
)
HUB_SERVICE_PREFIX = Setting(
    "JUPYTERHUB_SERVICE_PREFIX",
    "JupyterHub 为单用户服务设置的地址前缀",
    "/",
    "—（由 JupyterHub 设置）",
)
QUERY_STRING = Setting(
    "QUERY_STRING",
    "Voilà 传给内核的页面地址参数（如机构档案的 `institution_id`），只读、服务器端重新校验",
    shown_default="—（由 Voilà 设置）",
)
SCRIPT_NAME = Setting(
    "SCRIPT_NAME",
    "Voilà 传给内核的页面路径；预热内核在访问请求到达后才有（据此判断请求已到）",
    shown_default="—（由 Voilà 设置）",
)
VOILA_PREHEAT = Setting(
    "VOILA_PREHEAT",
    "Voilà 在预热内核中设为 `True`：页面地址参数要等访问请求到达后才可读（待办链接的 `panel`）",
    shown_default="—（由 Voilà 设置）",
)

# --- JupyterHub (deploy/jupyterhub/jupyterhub_config.py) ------------------------------------
HUB_PASSWORD = Setting(
    "CASEWORK_HUB_PASSWORD",
    "本地演示 hub 的共用口令（至少8个字符；仅演示）",
    shown_default="无（`make hub` 用 `casework-demo`）",
)
HUB_AUTHENTICATOR = Setting(
    "CASEWORK_HUB_AUTHENTICATOR",
    "hub 的认证方式（生产环境如 `generic-oauth`、`ldapauthenticator.LDAPAuthenticator`）",
    "shared-password",
)
HUB_PORT = Setting(
    "CASEWORK_HUB_PORT",
    "hub 的端口（hub API 为 +81，代理 API 为 +1）",
    "8000",
)
HUB_IDLE = Setting(
    "CASEWORK_HUB_IDLE",
    "用户服务空闲多少秒后被停止",
    "1800",
)
HUB_STATE = Setting(
    "CASEWORK_HUB_STATE",
    "hub 自身的数据库与 cookie 密钥目录",
    "var/hub",
)

# --- tests ------------------------------------------------------------------------------------
TEST_PG_URL = Setting(
    "CASEWORK_TEST_PG_URL",
    "测试用 PostgreSQL 地址（`make test` 自动启动临时服务器）",
)
TEST_BACKEND = Setting(
    "CASEWORK_TEST_BACKEND",
    "测试用数据库引擎：`sqlite` 或 `postgresql`（`make test` 两种各跑一遍，见 "
    "`docs/deployment.md`）",
    "sqlite",
)
HYPOTHESIS_PROFILE = Setting(
    "HYPOTHESIS_PROFILE",
    "测试用：`ci`（默认，少量样例）或 `dev`",
    "ci",
)

SETTINGS: tuple[Setting, ...] = (
    DB,
    SCHEMAS,
    CODE_PATTERN,
    USER,
    HUB_USER,
    HUB_SERVICE_PREFIX,
    QUERY_STRING,
    SCRIPT_NAME,
    VOILA_PREHEAT,
    ARCHIVE,
    BUREAUS,
    ARCHIVE_ON_SUBMIT,
    ANCHORS,
    ANCHOR_KEY,
    TOKENS,
    FORK_KERNELS,
    HUB_PASSWORD,
    HUB_AUTHENTICATOR,
    HUB_PORT,
    HUB_IDLE,
    HUB_STATE,
    TEST_PG_URL,
    TEST_BACKEND,
    HYPOTHESIS_PROFILE,
)
"""Every setting, in the README's order."""


def by_env(name: str) -> Setting:
    """The setting of environment variable ``name`` (KeyError for one casework does not read)."""
    for setting in SETTINGS:
        if setting.env == name:
            return setting
    raise KeyError(name)


# --- derived values ---------------------------------------------------------------------------
def data_home(environ: Environ | None = None) -> Path:
    """casework's per-user data folder (XDG): where a PostgreSQL deployment keeps its archive
    when ``CASEWORK_ARCHIVE`` is not set."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME", "").strip() or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "casework"


def cache_home(environ: Environ | None = None) -> Path:
    """casework's per-user cache folder (XDG): what can be made again, such as the reduced
    report fonts (:mod:`casework.reports.fonts`)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base).expanduser() / "casework"


def runtime_dir(environ: Environ | None = None) -> Path:
    """Where this user's sockets live (``XDG_RUNTIME_DIR``, else the system's temporary folder):
    the kernels' fork servers (:mod:`casework.forkserver`)."""
    import tempfile

    env = os.environ if environ is None else environ
    return Path(env.get("XDG_RUNTIME_DIR", "").strip() or tempfile.gettempdir())


def sqlite_file(db_url: str) -> Path | None:
    """The database file of an SQLite URL or plain path (None for a server database)."""
    if "://" not in db_url:
        return Path(db_url).expanduser().resolve()
    if not db_url.startswith("sqlite"):
        return None
    path = db_url.split(":///", 1)[1] if ":///" in db_url else ""
    path = path.split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path).expanduser().resolve()


def archive_dir(db_url: str | None = None, environ: Environ | None = None) -> Path:
    """The evidence archive's folder, the same whatever the working directory.

    ``CASEWORK_ARCHIVE`` if absolute; a relative value, and the default ``archive``, are taken
    relative to the folder of the SQLite database ``db_url`` (default ``CASEWORK_DB``), so that
    the apps' kernels (working directory ``notebooks/``) and ``casework archive verify`` (run
    from anywhere) find the same files. With a server database the base folder is
    :func:`data_home`.
    """
    configured = Path(ARCHIVE.get(environ) or "archive").expanduser()
    if configured.is_absolute():
        return configured.resolve()
    db_file = sqlite_file(db_url or DB.get(environ))
    base = db_file.parent if db_file is not None else data_home(environ)
    return (base / configured).resolve()


def archive_on_submit(environ: Environ | None = None) -> bool:
    """Whether the apps archive a completed procedure when it is submitted."""
    return ARCHIVE_ON_SUBMIT.get(environ) != "0"


def signed_in_username(environ: Environ | None = None) -> str:
    """``JUPYTERHUB_USER``, else ``CASEWORK_USER`` ("" when neither is set)."""
    return HUB_USER.get(environ) or USER.get(environ)


# --- the README's table -----------------------------------------------------------------------
def markdown() -> str:
    """The README's 设置 table."""
    lines = ["| 环境变量 | 含义 | 默认 |", "|---|---|---|"]
    lines += [f"| `{s.env}` | {s.meaning} | {s.default_text} |" for s in SETTINGS]
    return "\n".join(lines) + "\n"


def current() -> str:
    """The settings as this process sees them (values of set variables, else the default)."""
    rows = []
    for s in SETTINGS:
        shown = s.get() if s.is_set() else f"（默认）{s.default_text}"
        rows.append(f"{s.env} = {shown}")
    return "\n".join(rows) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m casework.settings [--markdown]``."""
    parser = argparse.ArgumentParser(
        prog="python -m casework.settings", description="casework 的全部设置（环境变量）"
    )
    parser.add_argument("--markdown", action="store_true", help="输出 README 的设置表")
    args = parser.parse_args(argv)
    sys.stdout.write(markdown() if args.markdown else current())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
