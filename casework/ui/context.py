"""What every app is built with: the store, the acting user and the day the apps act on.

The day is the date in Asia/Shanghai (:func:`casework.clock.today`), or, in a training store
made by ``casework demo``, its simulated date (:mod:`casework.registry.training_clock`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from casework import clock
from casework.queries.training_clock import simulated_today
from casework.registry.actors import Actor
from casework.store.engine import Store, open_store


@dataclass
class AppContext:
    """The store and the acting user of one app session (one kernel)."""

    store: Store
    actor: Actor
    today: date
    training: bool = False
    """A training store (``casework demo``): ``today`` is its simulated date."""

    def run(self, command: Any, **kwargs: Any) -> Any:
        """Run a registry command as the acting user (the registry re-checks everything)."""
        return command(self.store, self.actor, **kwargs)


def open_context(db: str | None = None, username: str | None = None) -> AppContext:
    """The context of the signed-in user; ``username`` is for tests and papermill runs only."""
    from casework.registry.catalog import actor_for
    from casework.ui.identity import current_actor

    store = open_store(db)
    if username is None:
        actor = current_actor(store)
    else:
        with store.read() as conn:
            actor = actor_for(conn, username)
    simulated = simulated_today(store)
    return AppContext(
        store=store,
        actor=actor,
        today=simulated or clock.today(),
        training=simulated is not None,
    )
