"""The training clock's date: the simulated today of a store made by ``casework demo``, or
``None`` for a production store (see :mod:`casework.registry.training_clock`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from casework.store.engine import Store
from casework.store.tables import training_clock


def store_today(store: Store) -> date:
    """What day it is for ``store``: its simulated date if it is a training store, else the
    bureau's date (Asia/Shanghai). Every command line and magic that defaults to "today" asks
    this, as the apps do — the real date on a demo store would act past its training clock."""
    from casework import clock

    return simulated_today(store) or clock.today()


def simulated_today(store: Store) -> date | None:
    """The simulated date of a training store; ``None`` in a production store."""
    with store.read() as conn:
        found = conn.execute(select(training_clock.c.simulated_on)).scalar()
    return found if isinstance(found, date) else None
