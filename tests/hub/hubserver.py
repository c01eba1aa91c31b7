"""A real JupyterHub for the hub tests (``deploy/jupyterhub/jupyterhub_config.py``).

:func:`running_hub` seeds the store at a URL (from :func:`tests.backend.store_url`, so the hub
runs on SQLite or PostgreSQL alike), starts the hub over it with the shared test password and
yields the hub's base URL; on leaving it stops the hub, its proxy, and every single-user Voilà
server and kernel the hub spawned. :func:`seed_city_cases` files one institution per city and
leaves a second one's application ready for a decision, each named after its city.

Needs JupyterHub (``pip install -e '.[hub]'``) and configurable-http-proxy (``make hub-deps``);
:func:`skip_without_hub` skips the calling test module with the reason otherwise.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import psutil
import pytest

from casework.paths import REPO_DIR
from casework.registry import scenario
from casework.serve import port_free
from casework.store.engine import Store, open_store

PASSWORD = "casework-hub-test"
JINAN, QINGDAO = "370100", "370200"
CONFIG = REPO_DIR / "deploy" / "jupyterhub" / "jupyterhub_config.py"
START_ATTEMPTS = 3  # a port drawn free can be taken before the hub binds it
START_TIMEOUT = 120.0  # seconds; the hub starts in 10–20 s on an idle machine
FILED_ON = date(2025, 3, 3)
# per city: the institution filed (已备案) and the one whose application awaits a decision
CASES = {
    JINAN: ("济南泉城职业技能评价中心", "济南趵突泉烹饪职业培训学校"),
    QINGDAO: ("青岛海滨职业技能评价中心", "青岛崂山工匠职业培训学校"),
}


def skip_without_hub() -> None:
    """Skip the calling test module unless JupyterHub and its proxy are installed."""
    pytest.importorskip("requests")
    pytest.importorskip("jupyterhub")
    if shutil.which("configurable-http-proxy") is None:
        pytest.skip(
            "configurable-http-proxy is not installed (make hub-deps)", allow_module_level=True
        )


def seed_users(store: Store) -> None:
    """The cities, and an officer, a manager and one expert for Jinan and Qingdao."""
    scenario.seed_reference(store)
    for city in (JINAN, QINGDAO):
        scenario.seed_city_users(store, city, experts=1)


def seed_city_cases(store: Store) -> None:
    """Per city (:data:`CASES`): one institution filed, one application in 评估中 whose panel
    has submitted every checklist (listed by 研究确定 as ready for a decision)."""
    for city, (filed, pending) in CASES.items():
        experts = scenario.seed_city_users(store, city, experts=3)
        scenario.ensure_city_catalog(store, city, FILED_ON.year, ["P001", "P002"])
        scenario.select_and_file(
            store,
            city_code=city,
            institution_id=scenario.new_institution(store, city, filed, 1),
            project_codes=["P001"],
            on=FILED_ON,
            experts=experts,
        )
        waiting = scenario.select_and_file(
            store,
            city_code=city,
            institution_id=scenario.new_institution(store, city, pending, 2),
            project_codes=["P002"],
            on=FILED_ON,
            experts=experts,
            stop_at="评估中",
        )
        scenario.submit_selection_sheets(store, waiting["panel_id"], experts[:3])


def free_port_block() -> int:
    """A port ``p`` with ``p``, ``p + 1`` and ``p + 81`` free (the hub, its proxy's API, the hub's
    API), drawn below the kernel's ephemeral range, where the ports every other server and
    kernel is handed (``bind(0)``) come from."""
    low, _high = (
        int(x) for x in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    )
    top = max(low, 20_000) - 82
    for _ in range(200):
        port = random.randint(10_000, top)
        if all(port_free(p) for p in (port, port + 1, port + 81)):
            return port
    raise RuntimeError("no free port")


@contextlib.contextmanager
def running_hub(
    db_url: str, root: Path, seed: Callable[[Store], None] | None = None
) -> Iterator[str]:
    """Seed the store at ``db_url`` (users, then ``seed``), run the hub over it; yield its URL.

    The hub's own state, its log (``hub.log``) and the users' home live in ``root``.
    """
    store = open_store(db_url)
    try:
        seed_users(store)
        if seed is not None:
            seed(store)
    finally:
        store.dispose()
    for attempt in range(1, START_ATTEMPTS + 1):
        port = free_port_block()
        process, log = _start(db_url, root, port)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, process, log, retry=attempt < START_ATTEMPTS)
        except PortTaken:
            stop(process)  # another process took one of the three ports first: draw again
            continue
        try:
            yield base
        finally:
            stop(process)
        return


class PortTaken(Exception):
    """The hub exited because one of its ports was taken between drawing and binding it."""


def _start(db_url: str, root: Path, port: int) -> tuple[subprocess.Popen[bytes], Path]:
    env = dict(os.environ)
    env.update(
        CASEWORK_DB=db_url,
        CASEWORK_HUB_PASSWORD=PASSWORD,
        CASEWORK_HUB_STATE=str(root / "state"),
        CASEWORK_HUB_PORT=str(port),
        PYTHONPATH=str(REPO_DIR),
        HOME=str(root),
    )
    log = root / "hub.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
            env=env,
            cwd=root,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, log


def wait_until_up(
    base: str, process: subprocess.Popen[bytes], log: Path, *, retry: bool = False
) -> None:
    """Return once the hub's API answers; fail with the log's tail if it exits or times out.

    With ``retry``, a hub that exited because a port was taken raises :class:`PortTaken`.
    """
    import requests

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"{base}/hub/api/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    text = log.read_text(errors="replace")
    if retry and process.poll() is not None and "Address already in use" in text:
        raise PortTaken(base)
    pytest.fail(f"the hub did not start:\n{log.read_text(errors='replace')[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the hub, then whatever it started that is still running.

    The spawner starts each Voilà in a session of its own (``start_new_session``), so killing
    the hub's process group does not reach them; they are found among the hub's descendants
    before it stops.
    """
    try:
        family = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    process.terminate()  # the hub stops the users' servers and the proxy on its way out
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)
    for child in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    psutil.wait_procs(family, timeout=10)
