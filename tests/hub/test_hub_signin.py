"""Through the hub: two officers of different cities sign in, each gets their own Voilà server
whose kernel acts as them; nobody gets in without the hub's login or into another's server,
and there is no Jupyter API to run code with.

Needs JupyterHub (``pip install -e '.[hub]'``) and configurable-http-proxy (``make hub-deps``);
skipped with the reason otherwise.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from casework.paths import REPO_DIR
from casework.registry import scenario
from casework.store.engine import open_store

requests = pytest.importorskip("requests")
pytest.importorskip("jupyterhub")
if shutil.which("configurable-http-proxy") is None:
    pytest.skip("configurable-http-proxy is not installed (make hub-deps)", allow_module_level=True)

pytestmark = pytest.mark.slow
PASSWORD = "casework-hub-test"
JINAN, QINGDAO = "370100", "370200"
CONFIG = REPO_DIR / "deploy" / "jupyterhub" / "jupyterhub_config.py"


def free_port_block() -> int:
    import socket

    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port + 81 < 65535:
            return port
    raise RuntimeError("no free port")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("hub")
    db = f"sqlite:///{root / 'casework.db'}"
    store = open_store(db)
    scenario.seed_reference(store)
    for city in (JINAN, QINGDAO):
        scenario.seed_city_users(store, city, experts=1)
    store.dispose()
    port = free_port_block()
    env = dict(os.environ)
    env.update(
        CASEWORK_DB=db,
        CASEWORK_HUB_PASSWORD=PASSWORD,
        CASEWORK_HUB_STATE=str(root / "state"),
        CASEWORK_HUB_PORT=str(port),
        PYTHONPATH=str(REPO_DIR),
        HOME=str(root),
    )
    log = (root / "hub.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
        env=env,
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/hub/api/", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.5)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail((root / "hub.log").read_text(errors="replace")[-3000:])
    yield base
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    for child in psutil.Process().children(recursive=True):
        if child.pid != process.pid and "voila" in " ".join(child.cmdline()):
            child.kill()


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/hub/login", timeout=30)
    session.post(
        f"{base}/hub/login",
        data={"username": username, "password": PASSWORD, "_xsrf": session.cookies.get("_xsrf")},
        timeout=120,
    )
    return session


def open_page(base: str, session: requests.Session, username: str) -> requests.Response:
    """The index app in the user's own server (waits while the hub spawns it)."""
    url = f"{base}/user/{username}/voila/render/index.ipynb"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        response = session.get(url, timeout=120)
        if response.status_code == 200 and response.url == url:
            return response
        time.sleep(1)
    raise AssertionError(f"{username}'s server did not serve the page: {response.url}")


def kernel_users(username: str) -> set[str]:
    """JUPYTERHUB_USER of every kernel the user's Voilà started."""
    seen = set()
    for proc in psutil.process_iter(["cmdline"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        if "ipykernel_launcher" in cmd:
            try:
                parent = " ".join(proc.parent().cmdline()) if proc.parent() else ""
                if f"/user/{username}/" in parent:
                    seen.add(proc.environ().get("JUPYTERHUB_USER", ""))
            except psutil.Error:
                continue
    return seen


def test_two_officers_of_different_cities_each_get_their_own_server_acting_as_them(
    hub: str,
) -> None:
    jinan, qingdao = f"officer{JINAN}", f"officer{QINGDAO}"
    sessions = {name: sign_in(hub, name) for name in (jinan, qingdao)}

    pages = {name: open_page(hub, s, name) for name, s in sessions.items()}
    foreign = sessions[jinan].get(f"{hub}/user/{qingdao}/voila/render/index.ipynb", timeout=60)
    anonymous = requests.get(f"{hub}/user/{jinan}/voila/render/index.ipynb", timeout=60)
    code_api = sessions[jinan].get(f"{hub}/user/{jinan}/api/contents", timeout=60)

    assert all(p.headers.get("Content-Security-Policy") for p in pages.values())
    assert kernel_users(jinan) == {jinan}
    assert kernel_users(qingdao) == {qingdao}
    assert (
        foreign.status_code != 200
        or foreign.url != f"{hub}/user/{qingdao}/voila/render/index.ipynb"
    )
    assert "/hub/login" in anonymous.url
    assert code_api.status_code == 404


def test_a_user_unknown_to_the_store_cannot_sign_in(hub: str) -> None:
    session = sign_in(hub, "stranger")

    response = session.get(f"{hub}/hub/home", timeout=30)

    assert "/hub/login" in response.url
