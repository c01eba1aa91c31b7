"""Through the hub: two officers of different cities sign in, each gets their own Voilà server
whose kernel acts as them; nobody gets in without the hub's login or into another's server,
and there is no Jupyter API to run code with.

Needs JupyterHub (``pip install -e '.[hub]'``) and configurable-http-proxy (``make hub-deps``);
skipped with the reason otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import psutil
import pytest

from casework.forkserver import forked_kernels
from tests.backend import postgres_only, store_url

from .hubserver import JINAN, PASSWORD, QINGDAO, running_hub, skip_without_hub

skip_without_hub()
import requests  # noqa: E402  (after the skip: the hub's extra may be missing)

pytestmark = [
    pytest.mark.slow,
    # One hub start per engine is enough: in the SQLite run the officers sign in through the
    # hub in test_hub_browser.py; these HTTP-level checks run on the deployment's engine.
    postgres_only("hub sign-in over HTTP runs in the PostgreSQL run; SQLite: test_hub_browser"),
]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("hub")
    with running_hub(store_url(root / "casework.db"), root) as base:
        yield base


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
    """The acting user of every kernel the user's Voilà started or had forked for it."""
    seen = set()
    servers = set()
    for proc in psutil.process_iter(["cmdline"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        if "ipykernel_launcher" in cmd:
            try:
                parent = " ".join(proc.parent().cmdline()) if proc.parent() else ""
                if f"/user/{username}/" in parent:
                    seen.add(proc.environ().get("JUPYTERHUB_USER", ""))
            except psutil.Error:
                continue
        elif "voila" in cmd and f"/user/{username}/" in cmd:
            servers.add(proc.pid)
    # a forked kernel's /proc/PID/environ is its fork server's: ask the fork server
    seen |= {k["user"] for k in forked_kernels() if k["owner"] in servers}
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
