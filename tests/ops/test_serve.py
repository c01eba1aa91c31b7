"""``casework serve --user``, run as a bureau's IT staff runs it: a real process, a real Voilà.

Stopping it stops Voilà and its kernels; its token survives a restart until rotated; it
listens only where told; Voilà's ``?template=`` override is off; the Content-Security-Policy
lets the page talk only to its own origin, without ``eval``; an inherited ``JUPYTERHUB_USER``
that would override ``--user`` is refused.
"""

from __future__ import annotations

import ast
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from casework import forkserver
from casework.serve import ServeOptions, demo_identities, free_ports, stored_token, voila_argv
from tests.cli_runs import REPO, in_process
from tests.demo_store import shared_demo
from tests.e2e.conftest import free_port

IP = "127.0.0.2"  # a loopback address other than the default: proves --ip is used


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    port: int
    token: str
    username: str

    def get(self, path: str, timeout: float = 120) -> Any:
        return urllib.request.urlopen(f"http://{IP}:{self.port}{path}", timeout=timeout)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with_children = task / "children"
        if with_children.exists():
            found += [int(c) for c in with_children.read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def start(db: str, username: str, tokens: Path, *extra: str) -> Served:
    env = {**os.environ, "PYTHONPATH": str(REPO), "CASEWORK_TOKENS": str(tokens)}
    env.pop("JUPYTERHUB_USER", None)
    port = free_port()
    argv = [sys.executable, "-m", "casework.cli", "--db", db, "serve", "--user", username]
    process = subprocess.Popen(
        [*argv, "--port", str(port), "--ip", IP, *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    url = line.split("：", 1)[1].strip()
    served = Served(process, url, port, url.split("token=", 1)[1], username)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            served.get(f"/api/status?token={served.token}", timeout=5)
            return served
        except urllib.error.HTTPError:
            return served
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("casework serve did not start")


def stop(served: Served) -> None:
    served.process.send_signal(signal.SIGTERM)
    served.process.wait(timeout=60)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A copy of the demo store and its province manager's username."""
    url = shared_demo(tmp_path_factory).copy(tmp_path_factory.mktemp("serve"))
    province = next(u for role, u, _ in demo_identities(url) if role == "省级管理")
    return url, province


@pytest.fixture(scope="module")
def served(demo_db: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = start(*demo_db, tmp_path_factory.mktemp("tokens"))
    yield server
    stop(server)


def test_the_server_listens_only_on_the_configured_address(served: Served) -> None:
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{served.port}/api/status", timeout=5)

    answer = served.get(f"/voila/render/index.ipynb?token={served.token}")

    assert answer.status == 200
    assert served.url.startswith(f"http://{IP}:{served.port}/")


def test_the_template_override_is_ignored_and_the_page_renders(served: Served) -> None:
    started = time.monotonic()

    answer = served.get(f"/voila/render/index.ipynb?token={served.token}&template=script")
    body = answer.read().decode("utf-8", "replace")

    assert time.monotonic() - started < 120
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "<html" in body.lower()


def test_the_csp_allows_only_our_own_origin_and_no_eval(served: Served) -> None:
    answer = served.get(f"/voila/render/index.ipynb?token={served.token}")
    csp = answer.headers["Content-Security-Policy"]

    assert "connect-src 'self';" in csp
    assert "ws:" not in csp and "wss:" not in csp
    assert "unsafe-eval" not in csp


@pytest.mark.browser
def test_a_dashboard_renders_in_chromium_under_the_csp(browser: Any, served: Served) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None)

    page.goto(served.url.replace("index.ipynb", "dashboard_province.ipynb"))
    page.get_by_text("全省考核机构管理看板").wait_for(timeout=180_000)
    page.get_by_text("查看范围：全省").wait_for()  # drawn by the kernel over the websocket

    # Voilà's template asks for Font Awesome from a CDN: refused, as every other host is
    assert [m for m in refused if "cdn.jsdelivr.net" not in m] == []
    page.close()


def test_an_inherited_jupyterhub_user_that_differs_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "someone_else")
    monkeypatch.setenv("CASEWORK_TOKENS", str(tmp_path))

    done = in_process("--db", str(tmp_path / "x.db"), "serve", "--user", "officer370100")

    assert done.returncode == 2
    assert "JUPYTERHUB_USER=someone_else" in done.stderr and "拒绝启动" in done.stderr


def test_a_taken_port_is_refused_in_chinese_and_never_served_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CASEWORK_TOKENS", str(tmp_path))
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        done = in_process(
            "--db", str(tmp_path / "x.db"), "serve", "--user", "officer370100", "--port", str(port)
        )

    assert done.returncode == 2
    assert f"端口{port}已被占用" in done.stderr
    assert "--Voila.port_retries=0" in voila_argv(ServeOptions(port=port))


def test_the_demo_skips_taken_ports_so_every_printed_address_is_its_own() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        ports = free_ports(port, 3)

    assert port not in ports and len(set(ports)) == 3 and min(ports) > port


def test_a_token_is_kept_with_mode_0600_until_rotated(tmp_path: Path) -> None:
    first = stored_token("专家370100-1", folder=tmp_path)

    again = stored_token("专家370100-1", folder=tmp_path)
    rotated = stored_token("专家370100-1", rotate=True, folder=tmp_path)

    assert first == again != rotated
    assert [p.stat().st_mode & 0o777 for p in tmp_path.iterdir()] == [0o600]


def test_kill_stops_voila_and_its_kernels_and_the_token_survives_a_restart(
    demo_db: tuple[str, str], tmp_path: Path
) -> None:
    server = start(*demo_db, tmp_path)
    server.get(f"/voila/render/index.ipynb?token={server.token}").read()
    voila = _children(server.process.pid)
    # its kernels: forked for it by the shared fork server (which outlives it), or its children
    kernels = [k.pid for v in voila for k in forkserver.kernels_of(v)]
    assert voila and kernels, "a rendered page should leave Voilà and a kernel running"

    os.kill(server.process.pid, signal.SIGTERM)
    server.process.wait(timeout=60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(p) for p in voila + kernels):
        time.sleep(0.2)
    survivors = [p for p in voila + kernels if _alive(p)]
    again = start(*demo_db, tmp_path)
    stop(again)
    rotated = start(*demo_db, tmp_path, "--rotate-token")
    stop(rotated)

    assert survivors == []
    assert again.token == server.token != rotated.token


@pytest.mark.parametrize(
    ("notebook", "preheated"),
    [
        ("renewal_scoring.ipynb", True),
        ("index.ipynb", True),
        ("selection_panel.ipynb", True),
        ("dashboard_city.ipynb", False),
        ("renewal_scoring.ipynb.bak", False),
        ("old_renewal_scoring.ipynb", False),
    ],
)
def test_preheat_keeps_a_kernel_for_the_named_pages_under_voilas_own_filter(
    notebook: str, preheated: bool
) -> None:
    """Voilà 0.5.13 filters the notebooks to preheat by matching its denylist against each
    notebook's absolute path; checked here with Voilà's own filter."""
    from types import SimpleNamespace

    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from voila.voila_kernel_manager import voila_kernel_manager_factory

    argv = voila_argv(ServeOptions(port=1, token="t", preheat=True))
    option = next(a for a in argv if a.startswith("--VoilaKernelManager.preheat_denylist="))
    patterns = ast.literal_eval(option.split("=", 1)[1])
    manager = voila_kernel_manager_factory(AsyncMappingKernelManager, True, 1)
    folder = Path("/srv/casework/notebooks")

    kept = manager._notebook_filter(SimpleNamespace(preheat_denylist=patterns), folder / notebook)

    assert kept is preheated
    assert "--pool_size=1" in argv and "--preheat_kernel=True" in argv
