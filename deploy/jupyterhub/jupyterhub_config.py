"""JupyterHub for casework: every signed-in user gets their own hardened standalone Voilà.

Local demo (``make hub``)::

    CASEWORK_DB=sqlite:////abs/path/casework.db CASEWORK_HUB_PASSWORD=<8+ chars> \
        .venv/bin/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

Settings (environment):

- ``CASEWORK_DB``: the shared store (``postgresql+psycopg://…`` for many users); reaches every
  user's server and kernel.
- ``CASEWORK_HUB_PASSWORD``: the demo's shared password (SharedPasswordAuthenticator). In
  production set ``CASEWORK_HUB_AUTHENTICATOR`` to an OAuth/LDAP authenticator class instead;
  its groups (``casework-专家``, ``casework-市级经办-370100`` …) create missing users in the
  store on first sign-in (``casework.hub.roles``).
- ``CASEWORK_HUB_PORT`` (default 8000; the hub's API listens on +81, the proxy's API on +1),
  ``CASEWORK_HUB_IDLE`` (seconds before an idle user's server is culled, default 1800),
  ``CASEWORK_HUB_STATE`` (folder for the hub's own database and cookie secret, ``var/hub``).
"""

# ruff: noqa: F821  (``c`` is the configuration object JupyterHub provides)
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from casework import settings
from casework.hub.roles import hub_groups, sync_user
from casework.store.engine import default_url, open_store

REPO = Path(__file__).resolve().parents[2]
STATE = Path(settings.HUB_STATE.get() if settings.HUB_STATE.is_set() else REPO / "var" / "hub")
STATE = STATE.resolve()
STATE.mkdir(parents=True, exist_ok=True)
DB = default_url()
IDLE = int(settings.HUB_IDLE.get())

c = get_config()  # type: ignore[name-defined]

# --- the hub ----------------------------------------------------------------------------------
PORT = int(settings.HUB_PORT.get())
c.JupyterHub.bind_url = f"http://127.0.0.1:{PORT}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{PORT + 81}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 1}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.shutdown_on_logout = True
c.JupyterHub.tornado_settings = {
    "headers": {"Content-Security-Policy": "frame-ancestors 'self'; object-src 'none'"}
}

# --- who signs in -----------------------------------------------------------------------------
store = open_store(DB)
GROUPS = hub_groups(store)
STORED_USERS = sorted({u for members in GROUPS.values() for u in members})
store.dispose()

authenticator = settings.HUB_AUTHENTICATOR.get()
c.JupyterHub.authenticator_class = authenticator
if authenticator == "shared-password":
    c.SharedPasswordAuthenticator.user_password = settings.HUB_PASSWORD.get()
    c.Authenticator.allowed_users = set(STORED_USERS)
else:
    c.Authenticator.manage_groups = True
    c.Authenticator.allow_all = True  # the store decides: see post_auth_hook

# hub groups mirror the store's roles (shown in the admin page; used by group-aware services)
c.JupyterHub.load_groups = {name: {"users": members} for name, members in GROUPS.items()}


def post_auth_hook(authenticator: Any, handler: Any, auth: dict[str, Any]) -> dict[str, Any] | None:
    """Only users the store knows (or whose groups name a casework role) get in."""
    db = open_store(DB)
    try:
        role = sync_user(db, auth["name"], auth["name"], auth.get("groups") or [])
    finally:
        db.dispose()
    if role is None:
        authenticator.log.warning("casework: user %s has no role in the store", auth["name"])
        return None
    return auth


c.Authenticator.post_auth_hook = post_auth_hook

# --- each user's server: standalone Voilà, never a Jupyter server ------------------------------
c.JupyterHub.spawner_class = "simple"  # local processes as the hub's user (KubeSpawner on k8s)
c.Spawner.cmd = [sys.executable, "-m", "casework.hub.singleuser"]
c.Spawner.args = []
c.Spawner.notebook_dir = str(REPO)
c.Spawner.environment = {"CASEWORK_DB": DB, "PYTHONPATH": str(REPO)}
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 120
c.Spawner.mem_limit = "1G"  # enforced by KubeSpawner/SystemdSpawner, advisory here
# a signed-in user lands on their own index page: the hub sends them there and starts their
# server on the way, without the "Server not running — Launch" page between (issue 12)
c.Spawner.default_url = "/voila/render/index.ipynb"
c.JupyterHub.default_url = "/hub/user-redirect/voila/render/index.ipynb"
c.JupyterHub.implicit_spawn_seconds = 0.01

# --- idle servers culled ----------------------------------------------------------------------
c.JupyterHub.last_activity_interval = 60
c.JupyterHub.load_roles = [
    {
        "name": "casework-idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE}"],
    }
]
