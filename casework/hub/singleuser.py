"""The single-user server JupyterHub spawns: a hardened standalone Voilà behind the hub's OAuth.

Not a Jupyter server: there is no contents API, no terminal and no kernel API apart from the
Voilà page's own kernel, so an evaluator cannot run code. Voilà's pluggable identity provider
takes JupyterHub's (``jupyterhub.singleuser.extension``): a request without a valid hub login is
sent to the hub's OAuth flow, and only the user the server belongs to (``access:servers``) gets
in. The user's name reaches the kernel in ``JUPYTERHUB_USER`` (set by the spawner), which is the
acting user of every app (``casework.ui.identity``). Run as ``python -m casework.hub.singleuser``.
"""

from __future__ import annotations

import os
import sys
from typing import Any
from urllib.parse import urlparse

from jupyterhub.singleuser.extension import JupyterHubIdentityProvider

from casework import settings
from casework.kernels import XsrfCookieOnPages
from casework.serve import ServeOptions, voila_argv

HUB_ENV = ("JUPYTERHUB_SERVICE_URL", "JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_USER")


class HubIdentityProvider(XsrfCookieOnPages, JupyterHubIdentityProvider):
    """JupyterHub's identity provider, fitted to standalone Voilà (with the ``_xsrf`` cookie on
    pages, so a closed page's kernel is shut down: :class:`casework.kernels.XsrfCookieOnPages`).

    Voilà passes a ``token`` (the hub's API token is used instead) and mounts the provider's
    handlers without the server's prefix, where the hub's OAuth callback would not find them.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("token", None)
        kwargs.pop("login_handler_class", None)
        super().__init__(**kwargs)

    def get_handlers(self) -> list[Any]:
        prefix = settings.HUB_SERVICE_PREFIX.get().rstrip("/")
        return [(prefix + path, *rest) for path, *rest in super().get_handlers()]


def singleuser_argv(environ: dict[str, str] | None = None) -> list[str]:
    """The Voilà command line for the hub's spawn environment."""
    env = os.environ if environ is None else environ
    missing = [name for name in HUB_ENV if not env.get(name)]
    if missing:
        raise SystemExit(f"须由 JupyterHub 启动（缺少环境变量：{'、'.join(missing)}）")
    service = urlparse(env["JUPYTERHUB_SERVICE_URL"])
    opts = ServeOptions(port=service.port or 8888, base_url=env["JUPYTERHUB_SERVICE_PREFIX"])
    replaced = ("--token=", "--Voila.ip=", "--Voila.identity_provider_class=")
    argv = [a for a in voila_argv(opts) if not a.startswith(replaced)]
    return [
        *argv,
        f"--Voila.ip={service.hostname or '127.0.0.1'}",
        "--Voila.identity_provider_class=casework.hub.singleuser.HubIdentityProvider",
        "--Voila.authorizer_class=jupyterhub.singleuser.extension.JupyterHubAuthorizer",
    ]


def main() -> None:
    argv = singleuser_argv()
    os.execv(sys.executable, argv)


if __name__ == "__main__":
    main()
