"""Serve the apps with standalone Voilà, hardened.

Sources stripped, tracebacks off, token authentication on, only the notebooks served (no other
files), a Content-Security-Policy, idle kernels culled. Voilà 0.5.13 leaves a kernel running
for every closed page (its shutdown request fails the XSRF check, upstream voila#1458); the XSRF
check stays on and culling removes those kernels. The acting user of every kernel is the
server's configured identity (``CASEWORK_USER``), or the hub's (``JUPYTERHUB_USER``).
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

from casework.paths import REPO_DIR

CULL_IDLE_SECONDS = 600
CULL_INTERVAL_SECONDS = 60
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self' ws: wss:; frame-ancestors 'self'; object-src 'none'; base-uri 'self'"
)


@dataclass
class ServeOptions:
    """How one Voilà server is started."""

    port: int = 8866
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    notebooks: Path = REPO_DIR / "notebooks"
    cull_idle: int = CULL_IDLE_SECONDS
    cull_interval: int = CULL_INTERVAL_SECONDS
    preheat: bool = False
    base_url: str = "/"


def voila_argv(opts: ServeOptions) -> list[str]:
    """The command line of a hardened standalone Voilà server."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(opts.notebooks),
        "--no-browser",
        f"--port={opts.port}",
        "--Voila.ip=127.0.0.1",
        f"--Voila.base_url={opts.base_url}",
        f"--token={opts.token}",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--VoilaConfiguration.file_allowlist=[]",
        "--VoilaConfiguration.file_denylist=['.*']",
        f"--MappingKernelManager.cull_idle_timeout={opts.cull_idle}",
        f"--MappingKernelManager.cull_interval={opts.cull_interval}",
        "--MappingKernelManager.cull_connected=False",
        f"--Voila.tornado_settings={{'headers': {{'Content-Security-Policy': \"{CSP}\"}}}}",
        f"--preheat_kernel={opts.preheat}",
        *(["--pool_size=1"] if opts.preheat else []),
    ]


def serve_env(username: str, db: str | None = None) -> dict[str, str]:
    """The server's environment: the configured identity and store reach every kernel."""
    env = dict(os.environ)
    env["CASEWORK_USER"] = username
    if db:
        env["CASEWORK_DB"] = db
    return env


def url(opts: ServeOptions, notebook: str = "index") -> str:
    return f"http://127.0.0.1:{opts.port}{opts.base_url}voila/render/{notebook}.ipynb?token={opts.token}"


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


def serve_demo(db: str | None = None, first_port: int = 8866) -> int:
    """Serve the apps once per demo role (each server has its own identity and token)."""
    import signal
    import subprocess
    import time

    def stop_on_term(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # so that the servers below are stopped too

    signal.signal(signal.SIGTERM, stop_on_term)
    processes = []
    print("专项职业能力考核机构备案管理 — 演示应用（每个角色一个服务，按 Ctrl-C 停止）：")
    for i, (role, username, name) in enumerate(demo_identities(db)):
        opts = ServeOptions(port=first_port + i)
        env = serve_env(username, db)
        processes.append(subprocess.Popen(voila_argv(opts), env=env, stderr=subprocess.DEVNULL))
        print(f"  {role}（{name}，{username}）：{url(opts)}")
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for p in processes:
            p.terminate()
    return 0
