"""Kernel clients that are ready as soon as their kernel is (issue #17).

jupyter_client's ``wait_for_ready`` ends by reading IOPub until it has been silent for 0.2 s, to
throw away the kernel's start-up messages. Every Voilà page (its kernel's client is made by
``ServerKernelManager.client``) and every archived report (two clients a report: the report's and
the reset after it) paid that 0.2 s of waiting for nothing. The messages it throws away can be
dropped without waiting: a client that runs code after ``wait_for_ready`` (nbclient, Voilà, our
report kernel) takes only the IOPub messages whose parent is its own request.

:func:`wait_for_ready` is jupyter_client's, with one change: IOPub is emptied of what has already
arrived (``timeout=0``) instead of until 0.2 s of silence. :class:`PromptAsyncKernelClient` and
:class:`PromptBlockingKernelClient` are the two clients with it; ``casework serve`` configures the
first (``ServerKernelManager.client_class``), the report kernels use the second.
"""

from __future__ import annotations

import asyncio
import math
import time
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.utils import run_sync
from jupyter_core.utils import ensure_async


async def wait_for_ready(client: Any, timeout: float | None = None) -> None:
    """Return once ``client``'s kernel has answered ``kernel_info`` on shell and IOPub reaches
    the client; the IOPub messages already received are dropped, none are waited for.

    Raises:
        RuntimeError: the kernel died, or did not answer within ``timeout`` seconds (the texts
            are jupyter_client's, which nbclient and Voilà report as they are).
    """
    from jupyter_client.manager import KernelManager

    deadline = time.monotonic() + (math.inf if timeout is None else timeout)
    if not isinstance(client.parent, KernelManager):  # no manager to ask: heartbeats
        while not await client._async_is_alive():
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"Kernel didn't respond to heartbeats in {timeout:.0f} seconds and timed out"
                )
            await asyncio.sleep(0.2)
    while True:
        client.kernel_info()
        try:
            msg = await ensure_async(client.shell_channel.get_msg(timeout=1))
        except Empty:
            pass
        else:
            if msg["msg_type"] == "kernel_info_reply":
                try:  # IOPub is connected once the kernel's status for a request arrives on it
                    await ensure_async(client.iopub_channel.get_msg(timeout=0.2))
                except Empty:
                    pass
                else:
                    client._handle_kernel_info_reply(msg)
                    break
        if not await client._async_is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
    while True:  # what has arrived already, without waiting for more
        try:
            await ensure_async(client.iopub_channel.get_msg(timeout=0))
        except Empty:
            return


class PromptAsyncKernelClient(AsyncKernelClient):
    """``AsyncKernelClient`` whose ``wait_for_ready`` does not wait for 0.2 s of IOPub silence."""

    wait_for_ready = wait_for_ready


class PromptBlockingKernelClient(BlockingKernelClient):
    """``BlockingKernelClient`` whose ``wait_for_ready`` does not wait for 0.2 s of IOPub
    silence."""

    wait_for_ready = run_sync(wait_for_ready)


PROMPT_ASYNC = f"{__name__}.PromptAsyncKernelClient"
PROMPT_BLOCKING = f"{__name__}.PromptBlockingKernelClient"
