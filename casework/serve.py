"""Serve the apps with standalone Voilà, hardened.

Sources stripped, tracebacks off, token authentication on, only the notebooks served (no other
files), a Content-Security-Policy. A closed page's kernel is shut down at once: Voilà 0.5.13's
shutdown beacon failed the XSRF check (upstream voila#1458) because Voilà never set the ``_xsrf``
cookie; :mod:`casework.kernels` sets it (the check stays on), bounds the kernels of a server
(``max_kernels``) and logs their count and memory; kernels without a page are culled after
``cull_idle`` seconds. The acting user of every kernel is the
server's configured identity (``CASEWORK_USER``), or the hub's (``JUPYTERHUB_USER``).

Operations: the bind address is a setting (``--ip``, default 127.0.0.1); each user's token is kept
in ``CASEWORK_TOKENS`` (default ``./var/tokens``, files of mode 0600) so the address survives a
restart, until ``--rotate-token``; Voilà runs in its own process group, and a signal to
``casework serve`` stops that whole group (and the server dies with its parent, by
``PR_SET_PDEATHSIG``, even after ``kill -9``). Voilà's ``?template=`` and ``?theme=`` overrides are
off: ``?template=script`` hung the page and left its kernel running.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from casework.errors import CaseworkError
from casework.paths import REPO_DIR

CULL_IDLE_SECONDS = 120  # a kernel without a page (its beacon lost); kernels with one stay
CULL_INTERVAL_SECONDS = 30
PREHEATED = ("index", "renewal_scoring", "selection_panel")
REFILL_AFTER = 5.0
"""Seconds after a preheated kernel is handed to a visitor before its replacement starts (Voilà's
default is 1 s): the replacement runs its page's notebook, which would take the CPU from the page
still being drawn in the visitor's browser."""
MAX_KERNELS = 24  # one person's open pages; more are refused, kernels without a page evicted
DEFAULT_IP = "127.0.0.1"
DEFAULT_TOKENS = "tokens"  # beside the SQLite database, as the archive (make run: var/tokens)
# connect-src 'self' covers the kernel websockets of our own origin (CSP Level 3, Chromium);
# no other host, and no ws:/wss: to anywhere.
# script-src blob: lets anywidget import the Attachment 4 form's module (casework/ui/static),
# which it loads from a blob: URL made in the page; only a script already running in the page
# can make one, so it lets in nothing that 'unsafe-inline' (Voilà's inline scripts) does not.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'"
)


class ServeRefused(CaseworkError):
    """``casework serve`` will not start as asked (e.g. a conflicting inherited identity)."""


@dataclass
class ServeOptions:
    """How one Voilà server is started."""

    port: int = 8866
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    notebooks: Path = REPO_DIR / "notebooks"
    cull_idle: int = CULL_IDLE_SECONDS
    cull_interval: int = CULL_INTERVAL_SECONDS
    preheat: bool = False
    preheated: tuple[str, ...] = PREHEATED
    """With ``preheat``: the notebooks that keep a warm kernel, one each (Voilà's default pool is
    every notebook: 20 idle kernels per server)."""
    base_url: str = "/"
    max_kernels: int = MAX_KERNELS
    evict_after: float = 30.0  # s without a page before a kernel may be evicted for a new one
    ip: str = DEFAULT_IP
    fork_kernels: bool = field(default_factory=lambda: _setting_fork_kernels())
    """Page kernels forked from one pre-loaded parent (:mod:`casework.forkserver`)."""


def _setting_fork_kernels() -> bool:
    from casework import settings

    return settings.FORK_KERNELS.get() != "0"


def voila_argv(opts: ServeOptions) -> list[str]:
    """The command line of a hardened standalone Voilà server."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(opts.notebooks),
        "--no-browser",
        f"--port={opts.port}",
        "--Voila.port_retries=0",  # serve at the printed address or not at all
        f"--Voila.ip={opts.ip}",
        f"--Voila.base_url={opts.base_url}",
        f"--token={opts.token}",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--VoilaConfiguration.file_allowlist=[]",
        "--VoilaConfiguration.file_denylist=['.*']",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        f"--MappingKernelManager.cull_idle_timeout={opts.cull_idle}",
        f"--MappingKernelManager.cull_interval={opts.cull_interval}",
        "--MappingKernelManager.cull_connected=False",
        "--Voila.identity_provider_class=casework.kernels.PageIdentityProvider",
        "--VoilaConfiguration.multi_kernel_manager_class=casework.kernels.CaseworkKernelManager",
        f"--CaseworkKernelManager.max_kernels={opts.max_kernels}",
        f"--CaseworkKernelManager.evict_after={opts.evict_after}",
        "--ServerKernelManager.client_class=casework.kernel_client.PromptAsyncKernelClient",
        *(
            [
                "--CaseworkKernelManager.fork_kernels=True",
                "--KernelProvisionerFactory.default_provisioner_name=casework-fork",
            ]
            if opts.fork_kernels
            else []
        ),
        f"--Voila.tornado_settings={{'headers': {{'Content-Security-Policy': \"{CSP}\"}}}}",
        f"--preheat_kernel={opts.preheat}",
        *(
            [
                "--pool_size=1",
                preheat_denylist(opts.preheated),
                f"--VoilaKernelManager.fill_delay={REFILL_AFTER}",
            ]
            if opts.preheat
            else []
        ),
    ]


def preheat_denylist(notebooks: tuple[str, ...]) -> str:
    """Voilà's denylist (regular expressions, matched at the start of a notebook's path) that
    preheats only ``notebooks``.

    Voilà 0.5.13 matches the denylist against each notebook's *absolute* path (its folder joined
    to the name), so the pattern allows any folder before the name; a pattern anchored at the
    bare name denied every notebook and no kernel was ever preheated."""
    names = "|".join(re.escape(n) for n in notebooks)
    return f"--VoilaKernelManager.preheat_denylist=['^(?!(?:.*/)?(?:{names})[.]ipynb$)']"


def serve_env(username: str, db: str | None = None) -> dict[str, str]:
    """The server's environment: the configured identity and store reach every kernel.

    Raises:
        ServeRefused: ``JUPYTERHUB_USER`` is inherited and names someone else; it would take
            precedence over ``username`` in every kernel.
    """
    env = dict(os.environ)
    inherited = env.get("JUPYTERHUB_USER")
    if inherited and inherited != username:
        raise ServeRefused(
            f"拒绝启动：环境变量 JUPYTERHUB_USER={inherited} 与 --user {username} 不一致，"
            "它会在每个内核中优先于 --user 成为登录身份。请先 unset JUPYTERHUB_USER，"
            "多用户请用 JupyterHub（make hub）"
        )
    env["CASEWORK_USER"] = username
    if db:
        env["CASEWORK_DB"] = db
    return env


def url(opts: ServeOptions, notebook: str = "index") -> str:
    host = "127.0.0.1" if opts.ip in ("", "0.0.0.0", "::") else opts.ip
    host = f"[{host}]" if ":" in host else host
    return (
        f"http://{host}:{opts.port}{opts.base_url}voila/render/{notebook}.ipynb?token={opts.token}"
    )


def tokens_dir(folder: Path | str | None = None, db_url: str | None = None) -> Path:
    """Where tokens are kept: ``folder``, else ``CASEWORK_TOKENS``, else ``tokens/``; a relative
    path is taken from the SQLite database's folder (never the working directory)."""
    from casework import settings

    if folder:
        return Path(folder).expanduser().resolve()
    chosen = Path(settings.TOKENS.get() if settings.TOKENS.is_set() else DEFAULT_TOKENS)
    if chosen.expanduser().is_absolute():
        return chosen.expanduser().resolve()
    db_file = settings.sqlite_file(db_url or settings.DB.get())
    base = db_file.parent if db_file is not None else settings.data_home()
    return (base / chosen).resolve()


def stored_token(
    username: str,
    *,
    rotate: bool = False,
    folder: Path | str | None = None,
    db_url: str | None = None,
) -> str:
    """This user's server token: the stored one, or a new one stored with mode 0600."""
    where = tokens_dir(folder, db_url)
    where.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = where / (re.sub(r"[^\w.-]", "_", username) + ".token")
    if path.is_file() and not rotate:
        token = path.read_text(encoding="ascii").strip()
        if token:
            os.chmod(path, 0o600)
            return token
    token = secrets.token_urlsafe(24)
    partial = path.with_suffix(".tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(token + "\n")
    os.replace(partial, path)
    return token


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGTERM when ``casework serve`` dies, even by ``kill -9``."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_group(argv: list[str], env: dict[str, str], **popen: object) -> subprocess.Popen[bytes]:
    """Start ``argv`` as the leader of its own process group, tied to this process's life."""
    return subprocess.Popen(  # type: ignore[call-overload]
        argv, env=env, start_new_session=True, preexec_fn=_die_with_parent, **popen
    )


def stop_group(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """SIGTERM the whole group (Voilà shuts its kernels down), then SIGKILL what is left."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue


def run_until_signal(processes: list[subprocess.Popen[bytes]]) -> int:
    """Wait while every server runs; SIGTERM, SIGINT or SIGHUP stops all their groups."""
    import time

    stopping: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        stopping.append(signum)

    previous: dict[int, Callable[..., object] | int | None] = {}
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        previous[sig] = signal.signal(sig, on_signal)
    try:
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.2)
    finally:
        for p in processes:
            stop_group(p)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    codes = [p.returncode or 0 for p in processes]
    return 0 if stopping else max(codes, default=0)


def port_free(port: int, ip: str = DEFAULT_IP) -> bool:
    """Whether a server may listen on ``ip:port`` now (as Tornado binds: SO_REUSEADDR)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((ip, port))
        except OSError:
            return False
    return True


def free_ports(first: int, count: int, ip: str = DEFAULT_IP) -> list[int]:
    """``count`` free ports from ``first`` upwards, skipping taken ones (the demo's servers)."""
    found: list[int] = []
    port = first
    while len(found) < count:
        if port > 65535:
            raise ServeRefused(f"从端口{first}起找不到{count}个空闲端口")
        if port_free(port, ip):
            found.append(port)
        port += 1
    return found


def serve_user(
    username: str,
    db: str | None = None,
    *,
    port: int = 8866,
    ip: str = DEFAULT_IP,
    token: str | None = None,
    rotate_token: bool = False,
    preheat: bool = False,
) -> int:
    """``casework serve --user``: one hardened server for one identity, until signalled; with
    ``preheat`` a kernel waits ready for each of :data:`PREHEATED`."""
    env = serve_env(username, db)
    if not port_free(port, ip):
        raise ServeRefused(f"端口{port}已被占用：请用 --port 指定其他端口")
    chosen = token or stored_token(username, rotate=rotate_token, db_url=db)
    opts = ServeOptions(port=port, token=chosen, ip=ip, preheat=preheat)
    print(f"应用地址（{username}）：{url(opts)}", flush=True)
    return run_until_signal([start_group(voila_argv(opts), env)])


DEMO_ROLES = ("市级经办", "专家", "机构", "市级负责人", "省级管理")


def demo_identities(db: str | None = None) -> list[tuple[str, str, str]]:
    """One stored user per role for the demo servers: (role, username, display name).

    Prefers 济南 (370100) and, for experts, one who sits on an open renewal group.
    """
    from sqlalchemy import select

    from casework.store.engine import open_store
    from casework.store.tables import panel_members, users

    store = open_store(db)
    picked: list[tuple[str, str, str]] = []
    with store.read() as conn:
        busy = set(conn.execute(select(panel_members.c.username)).scalars())
        rows = conn.execute(select(users).order_by(users.c.username)).mappings().all()
    for role in DEMO_ROLES:
        candidates = [r for r in rows if r["role"] == role and r["active"]]
        candidates.sort(
            key=lambda r: (r["city_code"] not in (None, "370100"), r["username"] not in busy)
        )
        if candidates:
            picked.append((role, candidates[0]["username"], candidates[0]["display_name"]))
    store.dispose()
    return picked


def served_identities(db: str | None = None) -> list[tuple[str, str, str]]:
    """The story's served users that exist in the store (:data:`casework.demo.story.SERVED`),
    as (label, username, display name); a role none of them covers falls back to
    :func:`demo_identities` (a store not made by today's ``casework demo``)."""
    from sqlalchemy import select

    from casework.demo.story import SERVED
    from casework.store.engine import open_store
    from casework.store.tables import users

    store = open_store(db)
    with store.read() as conn:
        known = {
            row.username: (row.role, row.display_name)
            for row in conn.execute(
                select(users.c.username, users.c.role, users.c.display_name).where(
                    users.c.active.is_(True)
                )
            )
        }
    store.dispose()
    picked = [(label, u, known[u][1]) for label, u in SERVED if u in known]
    covered = {known[u][0] for _, u, _ in picked}
    picked += [i for i in demo_identities(db) if i[0] not in covered]
    return picked


def serve_demo(
    db: str | None = None,
    first_port: int = 8866,
    *,
    ip: str = DEFAULT_IP,
    rotate_token: bool = False,
) -> int:
    """Serve the apps once per demo user (each server has its own identity and token), then
    print the story that carries one institution from the call to the receipt."""
    from casework.demo.story import story_text

    processes = []
    print("专项职业能力考核机构备案管理 — 演示应用（每个用户一个服务，按 Ctrl-C 停止）：")
    identities = served_identities(db)
    envs = [serve_env(username, db) for _, username, _ in identities]
    ports = free_ports(first_port, len(identities), ip)  # a taken port is skipped, not printed
    for (role, username, name), env, port in zip(identities, envs, ports, strict=True):
        token = stored_token(username, rotate=rotate_token, db_url=db)
        opts = ServeOptions(port=port, token=token, ip=ip)
        processes.append(start_group(voila_argv(opts), env, stderr=subprocess.DEVNULL))
        print(f"  {role}（{name}，{username}）：{url(opts)}", flush=True)
    print(story_text({u: f"{n}（{u}）" for _, u, n in identities}), flush=True)
    return run_until_signal(processes)
