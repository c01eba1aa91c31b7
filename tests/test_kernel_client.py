"""Kernel clients ready as soon as their kernel is (issue #17): jupyter_client's
``wait_for_ready`` waited for 0.2 s of IOPub silence before every Voilà page and twice for every
archived report; ours drops what IOPub already holds and waits for nothing more. Behaviour, not
speed (``bench/`` times it)."""

from __future__ import annotations

import asyncio
from queue import Empty
from typing import Any

import pytest
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import KernelManager
from jupyter_server.services.kernels.kernelmanager import ServerKernelManager
from traitlets.config import Config
from traitlets.utils.importstring import import_item

from casework import kernel_client
from casework.hub.singleuser import singleuser_argv
from casework.kernel_client import (
    PROMPT_ASYNC,
    PROMPT_BLOCKING,
    PromptAsyncKernelClient,
    PromptBlockingKernelClient,
)
from casework.serve import ServeOptions, voila_argv


class Channel:
    """A channel that hands out ``messages`` in turn, then ``Empty``, recording each timeout."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.messages = list(messages)
        self.timeouts: list[float | None] = []

    def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
        self.timeouts.append(timeout)
        if not self.messages:
            raise Empty
        return self.messages.pop(0)


class FakeClient:
    """What ``wait_for_ready`` uses of a kernel client, made by a kernel manager."""

    def __init__(
        self, shell: list[dict[str, Any]], iopub: list[dict[str, Any]], alive: bool
    ) -> None:
        self.parent = KernelManager()
        self.shell_channel = Channel(shell)
        self.iopub_channel = Channel(iopub)
        self.alive = alive
        self.handled: list[dict[str, Any]] = []
        self.requests = 0

    def kernel_info(self) -> None:
        self.requests += 1

    async def _async_is_alive(self) -> bool:
        return self.alive

    def _handle_kernel_info_reply(self, msg: dict[str, Any]) -> None:
        self.handled.append(msg)


STATUS = {"msg_type": "status", "content": {"execution_state": "busy"}}
REPLY = {"msg_type": "kernel_info_reply", "content": {"protocol_version": "5.3"}}


def test_ready_client_drops_what_iopub_holds_without_waiting_for_silence() -> None:
    client = FakeClient(shell=[REPLY], iopub=[STATUS, STATUS, STATUS], alive=True)
    asyncio.run(kernel_client.wait_for_ready(client, timeout=5))
    assert client.handled == [REPLY]
    assert client.iopub_channel.messages == []  # the start-up messages are gone
    # one wait (up to 0.2 s) for IOPub to show it is connected, then only what has arrived
    assert client.iopub_channel.timeouts == [0.2, 0, 0, 0]


def test_ready_client_asks_again_until_iopub_is_connected() -> None:
    """A reply with nothing on IOPub yet means IOPub is not connected: ask again, as
    jupyter_client does."""
    client = FakeClient(shell=[REPLY, REPLY], iopub=[], alive=True)
    client.iopub_channel.get_msg = _first_empty_then(STATUS, client.iopub_channel)  # type: ignore[method-assign]
    asyncio.run(kernel_client.wait_for_ready(client, timeout=5))
    assert client.requests == 2
    assert client.handled == [REPLY]


def _first_empty_then(message: dict[str, Any], channel: Channel) -> Any:
    calls = {"n": 0}

    def get_msg(timeout: float | None = None) -> dict[str, Any]:
        channel.timeouts.append(timeout)
        calls["n"] += 1
        if calls["n"] == 2:
            return message
        raise Empty

    return get_msg


def test_ready_client_reports_a_dead_kernel_instead_of_waiting() -> None:
    client = FakeClient(shell=[], iopub=[], alive=False)
    with pytest.raises(RuntimeError, match="Kernel died before replying to kernel_info"):
        asyncio.run(kernel_client.wait_for_ready(client, timeout=60))
    assert client.requests == 1


def test_ready_client_gives_up_after_its_timeout() -> None:
    client = FakeClient(shell=[], iopub=[], alive=True)
    client.shell_channel.get_msg = lambda timeout=None: (_ for _ in ()).throw(Empty)  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="didn't respond"):
        asyncio.run(kernel_client.wait_for_ready(client, timeout=0))


def test_ready_blocking_client_runs_code_on_a_real_kernel_and_sees_only_its_own_output() -> None:
    km = KernelManager(kernel_name="python3", client_class=PROMPT_BLOCKING)
    km.start_kernel()
    kc = km.client()
    try:
        assert isinstance(kc, PromptBlockingKernelClient)
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        seen: list[dict[str, Any]] = []
        reply = kc.execute_interactive("print('就绪')", timeout=60, output_hook=seen.append)
        assert reply["content"]["status"] == "ok"
        streams = [m["content"]["text"] for m in seen if m["msg_type"] == "stream"]
        assert streams == ["就绪\n"]
        assert {m["parent_header"]["msg_id"] for m in seen} == {reply["parent_header"]["msg_id"]}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_every_served_page_kernel_gets_the_ready_client() -> None:
    """``casework serve`` (and the hub's single-user server, which takes the same command line)
    configures it for Voilà's kernel managers."""
    hub = {
        "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:40123/user/a/",
        "JUPYTERHUB_SERVICE_PREFIX": "/user/a/",
        "JUPYTERHUB_USER": "a",
    }
    for argv in (voila_argv(ServeOptions(port=8866, token="t")), singleuser_argv(hub)):
        [setting] = [a for a in argv if a.startswith("--ServerKernelManager.client_class=")]
        name = setting.split("=", 1)[1]
        assert name == PROMPT_ASYNC
    assert issubclass(import_item(name), AsyncKernelClient)
    config = Config()
    config.ServerKernelManager.client_class = name
    assert isinstance(ServerKernelManager(config=config).client(), PromptAsyncKernelClient)
