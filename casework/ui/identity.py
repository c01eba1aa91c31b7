"""The acting user comes from the server, never from a widget or the URL.

Under JupyterHub the hub sets ``JUPYTERHUB_USER`` in the user's server; on a single machine the
operator configures the local identity with ``CASEWORK_USER``. Either name must belong to an
active user in the store, whose role and binding then decide what the apps allow.
"""

from __future__ import annotations

from casework import settings
from casework.errors import PermissionDenied
from casework.registry.actors import Actor
from casework.store.engine import Store

IDENTITY_VARIABLES = ("JUPYTERHUB_USER", "CASEWORK_USER")


def current_username() -> str:
    """The signed-in user's name as the server set it."""
    for name in IDENTITY_VARIABLES:
        value = settings.by_env(name).get()
        if value:
            return value
    raise PermissionDenied(
        "未识别登录用户：请通过统一认证（JupyterHub）登录，或由管理员配置 CASEWORK_USER"
    )


def current_actor(store: Store) -> Actor:
    """The stored user behind :func:`current_username` (raises NotFound for unknown users)."""
    from casework.registry.catalog import actor_for

    with store.read() as conn:
        return actor_for(conn, current_username())
