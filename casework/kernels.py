"""The kernels of a ``casework serve`` Voilà server: ended when their page closes, bounded, counted.

One kernel per open page, 150–180 MiB each, so a closed page must not keep one (P5, issue #17):

- :class:`PageIdentityProvider` — Voilà 0.5.13's page shuts its kernel down on ``beforeunload``
  with a beacon that carries the ``_xsrf`` cookie's value, but Voilà never sets that cookie, so
  the beacon fails the XSRF check (upstream voila#1458) and the kernel lived until culled. This
  identity provider sets the cookie on every page a signed-in user opens; the check stays on.
- :class:`CaseworkKernelManager` — at most ``max_kernels`` kernels per server: when full, the
  kernels that have had no page for ``evict_after`` seconds (a closed tab whose beacon never
  arrived) are shut down to make room; if every kernel has a page, the new page is refused in
  Chinese. Every start and shutdown logs the count and memory for the administrator. Kernels
  start without ``hypothesis`` (:data:`SERVED_KERNEL`). With ``fork_kernels`` the
  kernels are forked from one pre-loaded parent (:mod:`casework.forkserver`). Preheated kernels
  (``ServeOptions(preheat=True)``) that wait in the pool are never culled, and one handed to a
  visitor gets its idle time reset so the culler cannot take it before its page connects.

The idle culler (``cull_idle_timeout``, ``cull_connected=False``) still ends the rest.
"""

from __future__ import annotations

from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Bool, Float, Integer, List, TraitError, Unicode
from voila.voila_identity_provider import VoilaIdentityProvider

PAGE_PATH = "/voila/render/"
SERVED_KERNEL = ("import sys; sys.modules.setdefault('hypothesis', None)",)
"""Run in every kernel before its page: pandera imports ``hypothesis`` when it is installed (the
served environment may carry the test extras), 82 modules, ~5 MiB and a few tenths of a second in
every kernel that validates a frame; a served page never generates test data."""
FULL = "本服务同时打开的页面已达上限（{}个），请关闭不用的页面后重试，或联系管理员"


class XsrfCookieOnPages:
    """Identity-provider mixin: the ``_xsrf`` cookie on every page a signed-in user opens, so the
    page's shutdown beacon passes the XSRF check (voila#1458). Put it first in the bases of any
    identity provider that serves Voilà pages (the hub's too)."""

    async def get_user(self, handler: web.RequestHandler) -> Any:
        user = await ensure_async(super().get_user(handler))  # type: ignore[misc]
        if (
            user is not None
            and handler.request.method == "GET"
            and PAGE_PATH in handler.request.path
        ):
            handler.current_user = user  # what tornado's xsrf_token reads (prepare sets it too)
            _ = handler.xsrf_token  # tornado sets the cookie (readable by the page's script)
            make_room = getattr(handler.settings.get("kernel_manager"), "make_room", None)
            if make_room is not None:  # refuse a page over the bound before any of it is sent
                await make_room()
        return user


class PageIdentityProvider(XsrfCookieOnPages, VoilaIdentityProvider):
    """Voilà's token identity, with the ``_xsrf`` cookie on pages (:class:`XsrfCookieOnPages`)."""


class CaseworkKernelManager(AsyncMappingKernelManager):
    """A bounded pool of page kernels whose count and memory are logged (see the module)."""

    max_kernels = Integer(
        0, config=True, help="The most kernels this server runs at once (0: no bound)."
    )
    evict_after = Float(
        30.0,
        config=True,
        help="Seconds a kernel must have been without a page, and idle, before it is shut down "
        "to make room for a new page.",
    )

    fork_kernels = Bool(
        False,
        config=True,
        help="Fork page kernels from one pre-loaded parent (casework.forkserver); needs "
        "KernelProvisionerFactory.default_provisioner_name=casework-fork.",
    )

    exec_lines = List(
        Unicode(),
        default_value=list(SERVED_KERNEL),
        config=True,
        help="Python lines every kernel runs before its page (IPKernelApp.exec_lines).",
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._was_pooled: set[str] = set()
        if self.fork_kernels:  # pre-loading starts now, before the first visitor
            import atexit

            from casework.forkserver import ForkServer

            server = ForkServer.start()
            if server is not None:
                atexit.register(server.stop)

    # --- the pool's state ------------------------------------------------------------------
    def pooled(self) -> set[str]:
        """Preheated kernels waiting for a visitor (none unless Voilà preheats)."""
        found: set[str] = set()
        for pool in getattr(self, "_pools", {}).values():
            for task in pool:
                if task.done() and not task.cancelled() and task.exception() is None:
                    found.add(str(task.result().get("kernel_id")))
        return found

    def connections(self, kernel_id: str) -> int:
        return int(self._kernel_connections.get(kernel_id, 0))

    def without_page(self) -> list[str]:
        """Kernels no page is connected to, idle for ``evict_after`` s, the longest idle first."""
        now, pooled = utcnow(), self.pooled()
        idle: list[tuple[float, str]] = []
        for kernel_id in self.list_kernel_ids():
            if kernel_id in pooled or self.connections(kernel_id):
                continue
            kernel: Any = self.get_kernel(kernel_id)
            if getattr(kernel, "execution_state", "") == "busy":
                continue
            try:
                last = kernel.last_activity
            except TraitError:  # a kernel still starting has no activity yet: not idle
                continue
            seconds = (now - last).total_seconds()
            if seconds >= self.evict_after:
                idle.append((seconds, kernel_id))
        return [kernel_id for _, kernel_id in sorted(idle, reverse=True)]

    def status(self) -> dict[str, Any]:
        """The count of kernels, of those with a page, and their proportional memory (PSS, MiB)."""
        import psutil

        ids = self.list_kernel_ids()
        rss = 0
        for kernel_id in ids:
            process = getattr(
                getattr(self.get_kernel(kernel_id), "provisioner", None), "process", None
            )
            try:  # proportional: a forked kernel shares its pre-loaded pages
                info = psutil.Process(process.pid).memory_full_info() if process else None
                rss += int(getattr(info, "pss", 0)) if info else 0
            except (psutil.Error, AttributeError):
                continue
        return {
            "kernels": len(ids),
            "with_page": sum(1 for k in ids if self.connections(k)),
            "pooled": len(self.pooled()),
            "rss_mib": round(rss / 2**20),
            "max_kernels": self.max_kernels,
        }

    def log_status(self, event: str) -> None:
        s = self.status()
        bound = f"/{s['max_kernels']}" if s["max_kernels"] else ""
        self.log.info(
            "casework 内核：%s；现有 %d%s 个（有页面 %d 个，预热 %d 个），内存合计 %d MiB（PSS）",
            event,
            s["kernels"],
            bound,
            s["with_page"],
            s["pooled"],
            s["rss_mib"],
        )

    # --- kernel life -------------------------------------------------------------------------
    async def make_room(self) -> None:
        """Room for one more kernel: kernels without a page are shut down, longest idle first.

        Raises:
            tornado.web.HTTPError: 503, every kernel of the bound has a page.
        """
        if not self.max_kernels:
            return
        surplus = len(self.list_kernel_ids()) - self.max_kernels + 1
        for kernel_id in self.without_page()[: max(surplus, 0)]:
            self.log.info("casework 内核：为新页面腾出位置，关闭无页面的内核 %s", kernel_id)
            await self.shutdown_kernel(kernel_id)
        if len(self.list_kernel_ids()) >= self.max_kernels:
            self.log.warning("casework 内核：已达上限 %d 个，拒绝新页面", self.max_kernels)
            raise web.HTTPError(503, reason=FULL.format(self.max_kernels))

    async def start_kernel(self, **kwargs: Any) -> str:  # type: ignore[override]
        await self.make_room()
        kwargs["extra_arguments"] = [
            *kwargs.get("extra_arguments", []),
            *(f"--IPKernelApp.exec_lines={line}" for line in self.exec_lines),
        ]
        kernel_id = str(await super().start_kernel(**kwargs))
        self.log_status(f"已启动 {kernel_id}")
        return kernel_id

    async def shutdown_kernel(  # type: ignore[override]
        self, kernel_id: str, *args: Any, **kwargs: Any
    ) -> None:
        await ensure_async(super().shutdown_kernel(kernel_id, *args, **kwargs))
        self.log_status(f"已关闭 {kernel_id}")

    async def cull_kernels(self) -> None:
        """A preheated kernel just handed to a visitor counts as active now: it may have waited
        in the pool longer than the idle timeout, and its page has not connected yet."""
        pooled = self.pooled()
        for kernel_id in self._was_pooled - pooled:
            if kernel_id in self:
                kernel: Any = self.get_kernel(kernel_id)
                kernel.last_activity = utcnow()
        self._was_pooled = pooled
        await ensure_async(super().cull_kernels())
