"""Eight processes writing at once for a while: no "database is locked", no lost update.

Each worker is a real process of its own, like a Voilà kernel per user, running commands on
the same store as fast as it can. The helpers here are reused by ``test_postgres.py``.
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from casework.domain.identifiers import make_uscc
from casework.registry.actors import CITY_OFFICER, PROVINCE, Actor
from casework.registry.catalog import add_user, publish_catalog, register_institution
from casework.registry.uow import Tx, command
from casework.store import audit
from casework.store.engine import Store
from casework.store.tables import audit_log, catalog_entries, institutions, users

WORKERS = 8
ROUNDS = 40
COMMANDS_PER_ROUND = 4  # see one_round
CATALOG_YEAR = 2030
JOIN_TIMEOUT_S = 120.0
CITY_CODES = ("370100", "370200", "370300", "370400", "370500", "370600", "370700", "370800")
PROVINCE_ACTOR = Actor("province", PROVINCE)

# A test-only table for a pure read-modify-write: lost updates would show as a short count.
_test_metadata = MetaData()
counters = Table(
    "test_counters",
    _test_metadata,
    Column("name", String(20), primary_key=True),
    Column("value", Integer, nullable=False),
)


@command("测试：计数加一", roles=(PROVINCE,))
def bump_counter(tx: Tx, *, name: str) -> int:
    """Read the counter, then write it back plus one (two statements, one transaction)."""
    value = int(tx.get(counters, "计数器", name=name)["value"]) + 1
    tx.update(counters, {"name": name}, value=value)
    return value


def worker_uscc(worker: int, round_: int) -> str:
    """A valid Shandong code, distinct for every (worker, round)."""
    return make_uscc(f"52{CITY_CODES[worker]}MJ{worker:02d}{round_:05d}")


def one_round(store: Store, worker: int, r: int) -> list[Callable[[], object]]:
    """The commands of one round of one worker, each a distinct write."""
    city = CITY_CODES[worker]
    officer = Actor(f"officer{city}", CITY_OFFICER, city_code=city)
    code = f"W{worker}R{r:03d}"
    return [
        lambda: register_institution(
            store, officer, name=f"单位{worker}-{r}", uscc=worker_uscc(worker, r), city_code=city
        ),
        lambda: add_user(
            store,
            PROVINCE_ACTOR,
            username=f"expert_w{worker}_r{r}",
            display_name=f"专家{worker}-{r}",
            role="专家",
        ),
        lambda: publish_catalog(
            store,
            PROVINCE_ACTOR,
            year=CATALOG_YEAR,
            entries=[{"project_code": code, "name": f"项目{code}"}],
        ),
        lambda: bump_counter(store, PROVINCE_ACTOR, name="shared"),
    ]


def run_worker(url: str, worker: int, rounds: int, start: Any, results: Any) -> None:
    """One writer process: wait for the others, then run ``rounds`` rounds of commands."""
    try:
        store = Store(url)
        start.wait(JOIN_TIMEOUT_S)
        slowest = 0.0
        for r in range(rounds):
            for run_command in one_round(store, worker, r):
                began = time.monotonic()
                run_command()
                slowest = max(slowest, time.monotonic() - began)
        store.dispose()
        results.put((worker, "", slowest))
    except BaseException:
        results.put((worker, traceback.format_exc(), 0.0))


@dataclass(frozen=True)
class RunResult:
    errors: dict[int, str]
    seconds: float
    slowest_command: float  # the longest one command took (mostly waiting for the lock)


def worker_context() -> Any:
    """Fresh processes forked from a server that imported casework once (as fast as fork,
    nothing inherited from the test process; ``spawn`` would import casework eight times)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    return ctx


def run_writers(url: str, workers: int = WORKERS, rounds: int = ROUNDS) -> RunResult:
    """Start ``workers`` processes on ``url`` together; collect their tracebacks and timings."""
    ctx = worker_context()
    start = ctx.Barrier(workers + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=run_worker, args=(url, w, rounds, start, results))
        for w in range(workers)
    ]
    for p in procs:
        p.start()
    start.wait(JOIN_TIMEOUT_S)  # every worker has imported casework and opened the store
    began = time.monotonic()
    reported = [results.get(timeout=JOIN_TIMEOUT_S) for _ in procs]
    seconds = time.monotonic() - began
    for p in procs:
        p.join(JOIN_TIMEOUT_S)
    errors = {w: tb for w, tb, _ in reported if tb}
    errors |= {i: f"exit code {p.exitcode}" for i, p in enumerate(procs) if p.exitcode != 0}
    return RunResult(errors, seconds, max(slowest for _, _, slowest in reported))


def prepare(store: Store) -> int:
    """Create the test counter; returns the number of audit entries before the run."""
    _test_metadata.create_all(store.engine)
    with store.write() as conn:
        conn.execute(insert(counters).values(name="shared", value=0))
        return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def outcome(store: Store) -> dict[str, Any]:
    """What the run left in the store."""
    with store.read() as conn:
        return {
            "usccs": list(conn.execute(select(institutions.c.uscc)).scalars()),
            "users": list(conn.execute(select(users.c.username)).scalars()),
            "catalog": set(
                conn.execute(
                    select(catalog_entries.c.project_code).where(
                        catalog_entries.c.year == CATALOG_YEAR
                    )
                ).scalars()
            ),
            "counter": conn.execute(
                select(counters.c.value).where(counters.c.name == "shared")
            ).scalar_one(),
            "seqs": list(conn.execute(select(audit_log.c.seq).order_by(audit_log.c.seq)).scalars()),
            "registrars": list(
                conn.execute(
                    select(audit_log.c.actor)
                    .where(audit_log.c.command == register_institution.command_name)  # type: ignore[attr-defined]
                    .order_by(audit_log.c.seq)
                ).scalars()
            ),
            "problems": audit.verify(conn),
        }


def assert_nothing_lost(store: Store, before: int, workers: int, rounds: int) -> None:
    done = outcome(store)
    expected_usccs = {worker_uscc(w, r) for w in range(workers) for r in range(rounds)}
    expected_users = {f"expert_w{w}_r{r}" for w in range(workers) for r in range(rounds)}
    expected_entries = before + workers * rounds * COMMANDS_PER_ROUND

    assert sorted(done["usccs"]) == sorted(expected_usccs)  # each exactly once
    assert expected_users <= set(done["users"])
    assert len(done["users"]) == len(set(done["users"]))
    assert done["catalog"] == {f"W{w}R{r:03d}" for w in range(workers) for r in range(rounds)}
    assert done["counter"] == workers * rounds
    assert done["seqs"] == list(range(1, expected_entries + 1))
    assert done["problems"] == []
    # The workers really ran at once: their entries interleave rather than follow one another.
    switches = sum(a != b for a, b in itertools.pairwise(done["registrars"]))
    assert switches > workers - 1


@pytest.fixture
def writers_store(store: Store) -> Iterator[tuple[Store, int]]:
    before = prepare(store)
    yield store, before


@pytest.mark.slow
def test_eight_processes_writing_at_once_never_see_database_locked_nor_lose_an_update(
    writers_store: tuple[Store, int], db_url: str
) -> None:
    store, before = writers_store

    run = run_writers(db_url)

    print(f"write phase {run.seconds:.1f} s, slowest command {run.slowest_command:.2f} s")
    assert run.errors == {}, "\n".join(run.errors.values())
    assert_nothing_lost(store, before, WORKERS, ROUNDS)
