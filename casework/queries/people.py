"""The users a manager sees on the 人员与权限 page (SUP-01): a city manager those of their
city (its officers and managers, the heads of its institutions, the experts of its pool), the
province everyone. Read-only."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import or_, select

from casework.registry.actors import PROVINCE, Actor
from casework.store.engine import Store
from casework.store.tables import cities, expert_pool, institutions, users

COLUMNS = [
    "username",
    "display_name",
    "role",
    "city_code",
    "city",
    "institution_id",
    "institution",
    "bound_city",
    "unit",
    "active",
]


def users_seen_by(store: Store, actor: Actor) -> pd.DataFrame:
    """The users ``actor`` may see, by role and name, each with its city, institution and the
    city it is bound to (an institution head's is the institution's)."""
    q = (
        select(
            users.c.username,
            users.c.display_name,
            users.c.role,
            users.c.city_code,
            cities.c.name.label("city"),
            users.c.institution_id,
            institutions.c.name.label("institution"),
            institutions.c.city_code.label("institution_city"),
            users.c.unit,
            users.c.active,
        )
        .outerjoin(cities, cities.c.city_code == users.c.city_code)
        .outerjoin(institutions, institutions.c.id == users.c.institution_id)
        .order_by(users.c.role, users.c.display_name, users.c.username)
    )
    if actor.role != PROVINCE:
        pooled = select(expert_pool.c.username).where(expert_pool.c.city_code == actor.city_code)
        q = q.where(
            or_(
                users.c.city_code == actor.city_code,
                institutions.c.city_code == actor.city_code,
                users.c.username.in_(pooled),
            )
        )
    with store.read() as conn:
        frame = pd.DataFrame([dict(r) for r in conn.execute(q).mappings()])
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    bound = frame["institution_city"].fillna(frame["city_code"]).astype(object)
    frame["bound_city"] = bound.where(bound.notna(), None)  # an expert is bound to no city
    frame["city_code"] = frame["city_code"].astype(object).where(frame["city_code"].notna(), None)
    frame["active"] = frame["active"].astype(bool)
    for column in ("city", "institution", "unit"):
        frame[column] = frame[column].fillna("")
    return frame[COLUMNS]


def cities_list(store: Store) -> list[tuple[str, str]]:
    """(name, code) of every city, by code."""
    with store.read() as conn:
        rows = conn.execute(select(cities.c.name, cities.c.city_code).order_by(cities.c.city_code))
        return [(str(n), str(c)) for n, c in rows]


def institutions_of(store: Store, city_code: str | None) -> list[tuple[str, int]]:
    """(name, id) of the institutions registered in ``city_code`` (every city for None)."""
    q = select(institutions.c.name, institutions.c.id).order_by(institutions.c.name)
    if city_code is not None:
        q = q.where(institutions.c.city_code == city_code)
    with store.read() as conn:
        return [(str(n), int(i)) for n, i in conn.execute(q)]
