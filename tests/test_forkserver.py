"""Page kernels forked from one pre-loaded parent (issue #17, P1 and P5): a forked kernel is a
whole kernel of its own page — its environment, its folder, the apps already imported, widgets
that render — and it ends with its page, with the page server that asked for it, and the fork
server ends when no page server holds it. Behaviour, not speed (the benches time it)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import KernelProvisionerFactory

from casework import forkserver
from casework.forkserver import ForkServer


def wait_until(condition: Any, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def start_fork_server(path: Path, idle_exit: float = 600) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "casework.forkserver", str(path), str(idle_exit)],
        env=forkserver.server_env(),
        stdin=subprocess.DEVNULL,
    )
    assert wait_until(path.exists, 90), "the fork server never became ready"
    return process


@pytest.fixture
def socket_path(tmp_path: Path) -> Iterator[Path]:
    # AF_UNIX paths are short: pytest's tmp_path can be too long
    folder = Path(os.environ.get("XDG_RUNTIME_DIR") or "/tmp") / f"cw-fs-{os.getpid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    yield folder / f"{tmp_path.name[-20:]}.sock"


@pytest.fixture
def fork_server(socket_path: Path) -> Iterator[ForkServer]:
    process = start_fork_server(socket_path)
    server = ForkServer(str(socket_path))
    previous = ForkServer._current
    ForkServer._current = server
    assert server.ready()
    yield server
    server.stop()
    ForkServer._current = previous
    process.kill()
    process.wait()


@pytest.fixture
def fork_provisioner() -> Iterator[None]:
    factory = KernelProvisionerFactory.instance()
    previous = factory.default_provisioner_name
    factory.default_provisioner_name = "casework-fork"
    yield
    factory.default_provisioner_name = previous


async def run_in_kernel(
    code: str, env: dict[str, str], cwd: Path
) -> tuple[str, AsyncKernelManager, int]:
    """Start a kernel, run ``code``, return its printed output, manager and pid (still up)."""
    km = AsyncKernelManager(kernel_name="python3")
    await km.start_kernel(env=env, cwd=str(cwd))
    kc = km.client()
    kc.start_channels()
    out: list[dict[str, Any]] = []
    try:
        await kc.wait_for_ready(timeout=60)
        reply = await kc.execute_interactive(code, timeout=60, output_hook=lambda m: out.append(m))
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
    text = "".join(m["content"].get("text", "") for m in out if m["header"]["msg_type"] == "stream")
    return text, km, int(km.provisioner.pid)  # type: ignore[union-attr]


PROBE = """
import os, sys, json
from ipykernel.ipkernel import _get_comm_manager
from casework.domain import rubrics
print(json.dumps({
    "user": os.environ.get("CASEWORK_USER"),
    "cwd": os.getcwd(),
    "preloaded": "casework.ui.renewal_scoring" in sys.modules,
    "ppid": os.getppid(),
    "widget_targets": sorted(t for t in _get_comm_manager().targets if "widget" in t),
    "hypothesis": sys.modules.get("hypothesis", "absent") is None,
    "owner": os.environ.get("CASEWORK_KERNEL_OWNER"),
    "rubrics_validated": bool(rubrics._CATALOG),
    "dialects": [m for m in ("sqlalchemy.dialects.sqlite.pysqlite", "psycopg",
                             "sqlalchemy.dialects.postgresql.psycopg") if m in sys.modules],
}))
"""


def test_a_forked_kernel_has_its_pages_environment_folder_apps_widgets_and_rubrics(
    fork_server: ForkServer, fork_provisioner: None, tmp_path: Path
) -> None:
    env = {**os.environ, "CASEWORK_USER": "expert370100_1"}
    text, km, pid = asyncio.run(run_in_kernel(PROBE, env, tmp_path))
    facts = json.loads(text.strip().splitlines()[-1])
    try:
        assert km.provisioner.forked  # type: ignore[union-attr]
        assert facts["user"] == "expert370100_1"
        assert facts["cwd"] == str(tmp_path)
        assert facts["preloaded"] is True
        assert facts["rubrics_validated"] is True  # by the fork server, not by each kernel
        # the database dialects too: psycopg's only where the postgres extra is installed
        postgres = ["psycopg", "sqlalchemy.dialects.postgresql.psycopg"]
        installed = importlib.util.find_spec("psycopg") is not None
        assert facts["dialects"] == ["sqlalchemy.dialects.sqlite.pysqlite", *postgres * installed]
        assert psutil.Process(facts["ppid"]).cmdline()[1:3] == ["-m", "casework.forkserver"]
        assert facts["widget_targets"] == ["jupyter.widget", "jupyter.widget.control"]
        assert facts["owner"] == str(os.getpid())
        assert facts["hypothesis"] is True  # served kernels never import the test extras
        assert psutil.Process(pid).name() == f"cwk-{os.getpid()}"[:15]
        assert pid in [p.pid for p in forkserver.kernels_of(os.getpid())]
        assert fork_server.kernels() == [
            {"pid": pid, "owner": os.getpid(), "user": "expert370100_1"}
        ]
    finally:
        asyncio.run(km.shutdown_kernel())
    assert wait_until(lambda: not psutil.pid_exists(pid) or _zombie(pid), 15)


def _zombie(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True


def test_kernels_start_as_ordinary_processes_when_no_fork_server_is_ready(
    fork_provisioner: None, tmp_path: Path
) -> None:
    previous = ForkServer._current
    ForkServer._current = ForkServer(str(tmp_path / "none.sock"))  # nothing listens there
    ForkServer._current._take_lease = lambda: False  # type: ignore[method-assign]
    ForkServer._current.ensure = lambda: None  # type: ignore[method-assign]
    try:
        text, km, pid = asyncio.run(run_in_kernel("print(40 + 2)", dict(os.environ), tmp_path))
        assert text.strip() == "42"
        assert not km.provisioner.forked  # type: ignore[union-attr]
        assert "ipykernel_launcher" in " ".join(psutil.Process(pid).cmdline())
        asyncio.run(km.shutdown_kernel())
    finally:
        ForkServer._current = previous


OWNER = """
import os, sys, time
from casework.forkserver import ForkServer
pid = ForkServer(sys.argv[1]).fork(["-f", sys.argv[2]], dict(os.environ), os.getcwd())
print(pid, flush=True)
time.sleep(600)
"""


def test_a_forked_kernel_ends_when_the_page_server_that_asked_for_it_is_killed(
    fork_server: ForkServer, tmp_path: Path
) -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, fork_server.path, str(tmp_path / "kernel.json")],
        stdout=subprocess.PIPE,
    )
    assert owner.stdout is not None
    kernel = int(owner.stdout.readline())
    assert wait_until(lambda: (tmp_path / "kernel.json").exists(), 30)
    assert psutil.pid_exists(kernel) and not _zombie(kernel)
    owner.send_signal(signal.SIGKILL)  # kill -9: no shutdown request ever reaches the kernel
    owner.wait()
    assert wait_until(lambda: _zombie(kernel), 15)


def test_the_fork_server_ends_when_no_page_server_holds_a_lease(socket_path: Path) -> None:
    process = start_fork_server(socket_path, idle_exit=1)
    try:
        server = ForkServer(str(socket_path))
        assert server.ready()
        time.sleep(2)
        assert process.poll() is None  # held: it stays
        server.stop()
        assert wait_until(lambda: process.poll() is not None, 15)
        assert not socket_path.exists()
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize(
    "request_line",
    [b"not json\n", b'{"argv": "-f x", "env": {}, "cwd": "/", "owner": 1}\n', b"{}\n"],
    ids=["garbage", "argv-not-a-list", "empty"],
)
def test_a_malformed_request_gets_no_kernel_and_the_server_serves_on(
    fork_server: ForkServer, request_line: bytes
) -> None:
    before = {p.pid for p in psutil.Process(_server_pid(fork_server)).children()}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(10)
        conn.connect(fork_server.path)
        conn.sendall(request_line)
        assert conn.recv(1024) == b""  # closed without a reply
    after = {p.pid for p in psutil.Process(_server_pid(fork_server)).children()}
    assert after == before
    assert ForkServer(fork_server.path).ready()


def _server_pid(server: ForkServer) -> int:
    for process in psutil.process_iter():
        try:
            if server.path in process.cmdline():
                return process.pid
        except psutil.Error:
            continue
    raise AssertionError("no fork server")


def test_the_fork_server_keeps_none_of_the_starting_page_servers_identity() -> None:
    env = forkserver.server_env(
        {
            "PATH": "/usr/bin",
            "CASEWORK_USER": "expert370100_1",
            "CASEWORK_DB": "postgresql://u:secret@db/casework",
            "JUPYTERHUB_API_TOKEN": "token",
            "QUERY_STRING": "panel_id=3",
            "PYTHONPATH": "/srv",
            "LC_ALL": "C.UTF-8",
        }
    )
    assert env == {
        "PATH": "/usr/bin",
        "PYTHONPATH": "/srv",
        "LC_ALL": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }


def test_a_changed_installation_gets_a_fork_server_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = forkserver.code_key()
    assert forkserver.code_key() == key
    monkeypatch.setattr(forkserver, "PRELOAD", (*forkserver.PRELOAD, "json"))
    assert forkserver.code_key() != key


STARTER = """
import sys
from casework.forkserver import ForkServer
server = ForkServer(sys.argv[1])
server.ensure()
print(server.wait_ready(90), flush=True)
"""


def test_page_servers_started_together_start_one_fork_server(socket_path: Path) -> None:
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, str(socket_path)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    try:
        outputs = [p.communicate(timeout=120)[0].strip() for p in starters]
        assert outputs == ["True"] * 4
        running = [p for p in psutil.process_iter() if _alive_with(p, str(socket_path))]
        assert len(running) == 1
    finally:
        for p in psutil.process_iter():
            if _alive_with(p, str(socket_path)):
                p.kill()


def _alive_with(process: psutil.Process, path: str) -> bool:
    try:
        return path in process.cmdline() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
