"""Play the browser against a real Voilà page: an HTTP GET, then the kernel websocket.

What a browser does with a Voilà page, without the browser:

1. ``GET /voila/render/<notebook>.ipynb?token=…`` — Voilà starts a kernel, runs the notebook and
   returns the page, whose page config names the kernel (``"kernelId": "…"``).
2. Connect to ``/api/kernels/<kernelId>/channels`` (token in the query; no subprotocol, so
   jupyter_server speaks its legacy JSON protocol: one message per frame, with ``channel``).
3. Talk to the widgets. Voilà lets the browser send only comm and info messages
   (``allowed_message_types``: no ``execute_request``), so the widget models are found the
   way the widget manager itself finds them: it opens a ``jupyter.widget.control`` comm and
   sends ``request_states``; the kernel answers with the state of every widget model (model
   name, description, options, ``_dom_classes``, children). Changes and clicks are the
   ``comm_msg`` updates and ``custom`` click events the browser's widget views send.

Every shell message is answered on iopub by ``status: busy`` then ``status: idle`` with the
message as parent, and the kernel handles shell messages in order: waiting for the idle of a
message means the kernel has handled it and everything sent before it.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests
import websocket
from jupyter_server.services.kernels.connection.base import deserialize_binary_message

Message = dict[str, Any]
CONTROL_PROTOCOL = "1.0.0"
"""The widget control comm's protocol (``ipywidgets`` 8 checks its major version)."""
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


class PageClosed(Exception):
    """The websocket closed (the server went away) while the page waited for a message."""


class VoilaPage:
    """One open page (one kernel) of a Voilà server at ``base`` (``http://host:port``)."""

    def __init__(self, base: str, notebook: str, token: str, timeout: float = 180) -> None:
        self.timeout = timeout
        response = requests.get(
            f"{base}/voila/render/{notebook}.ipynb", params={"token": token}, timeout=timeout
        )
        response.raise_for_status()
        found = KERNEL_ID.search(response.text)
        if found is None:
            raise RuntimeError(f"no kernel id in the page: {response.text[:500]}")
        self.kernel_id = found.group(1)
        self.session = uuid.uuid4().hex
        self.ws = websocket.create_connection(
            f"{base.replace('http', 'ws', 1)}/api/kernels/{self.kernel_id}/channels"
            f"?session_id={self.session}&token={token}",
            timeout=timeout,
        )
        self.control = uuid.uuid4().hex
        opened = self.send(
            "comm_open",
            {"comm_id": self.control, "target_name": "jupyter.widget.control", "data": {}},
            {"version": CONTROL_PROTOCOL},
        )
        self.idle(opened)

    # --- the wire ------------------------------------------------------------------------
    def send(
        self, msg_type: str, content: dict[str, Any], metadata: dict[str, Any] | None = None
    ) -> str:
        """Send one shell message; its msg_id."""
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "username": "browser",
            "session": self.session,
            "date": datetime.now(UTC).isoformat(),
            "version": "5.3",
        }
        message = {
            "header": header,
            "parent_header": {},
            "metadata": metadata or {},
            "content": content,
            "channel": "shell",
        }
        try:
            self.ws.send(json.dumps(message))
        except (OSError, websocket.WebSocketException) as exc:
            raise PageClosed(str(exc)) from exc
        return msg_id

    def recv(self) -> Message:
        """The next message from the kernel (any channel)."""
        try:
            frame = self.ws.recv()
        except (OSError, websocket.WebSocketException) as exc:
            raise PageClosed(str(exc)) from exc
        if isinstance(frame, bytes):
            return dict(deserialize_binary_message(frame))
        if not frame:
            raise PageClosed("empty frame: the websocket closed")
        return dict(json.loads(frame))

    def until(self, wanted: Callable[[Message], bool], timeout: float | None = None) -> Message:
        """Read messages until one is ``wanted`` (returned); raises TimeoutError."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            message = self.recv()
            if wanted(message):
                return message
        raise TimeoutError("the awaited message did not arrive")

    def idle(self, msg_id: str) -> None:
        """Wait until the kernel has handled the shell message ``msg_id``."""
        self.until(lambda m: status(m, msg_id) == "idle")

    def close(self) -> None:
        with contextlib.suppress(OSError, websocket.WebSocketException):
            self.ws.close(timeout=1)

    # --- widgets -------------------------------------------------------------------------
    def comm(self, comm_id: str, data: dict[str, Any]) -> str:
        return self.send("comm_msg", {"comm_id": comm_id, "data": data})

    def states(self) -> dict[str, dict[str, Any]]:
        """Every widget model of the page: model id → state (with ``_model_name``)."""
        self.comm(self.control, {"method": "request_states"})
        reply = self.until(
            lambda m: (
                m["msg_type"] == "comm_msg"
                and m["content"]["comm_id"] == self.control
                and m["content"]["data"].get("method") == "update_states"
            )
        )
        states = reply["content"]["data"]["states"]
        return {mid: dict(s["state"], _model_name=s["model_name"]) for mid, s in states.items()}

    def choose(self, model_id: str, states: dict[str, dict[str, Any]], label: str) -> str:
        """Pick an option of a selection widget by its label, as the browser does (its index)."""
        index = list(states[model_id]["_options_labels"]).index(label)
        return self.comm(
            model_id, {"method": "update", "state": {"index": index}, "buffer_paths": []}
        )

    def click(self, model_id: str) -> str:
        return self.comm(model_id, {"method": "custom", "content": {"event": "click"}})

    def answer(self, table_id: str, key: str, field: str, value: Any) -> str:
        """Answer one field of the Attachment 4 form (``casework.ui.attachment4_form``) as its
        view does on a click or a choice: a message ``{id, field, value}`` to the one model."""
        content = {"id": key, "field": field, "value": value}
        return self.comm(table_id, {"method": "custom", "content": content})


def update(state: dict[str, Any]) -> dict[str, Any]:
    """A widget state change as the browser sends it."""
    return {"method": "update", "state": state, "buffer_paths": []}


def status(message: Message, msg_id: str) -> str | None:
    """The kernel's execution state reported for ``msg_id`` (None for other messages)."""
    if message["msg_type"] != "status" or message["parent_header"].get("msg_id") != msg_id:
        return None
    return str(message["content"]["execution_state"])


def updated_value(message: Message) -> str:
    """The new ``value`` a widget update from the kernel carries ("" if none)."""
    if message["msg_type"] != "comm_msg":
        return ""
    data = message["content"]["data"]
    if data.get("method") != "update":
        return ""
    value = data.get("state", {}).get("value")
    return value if isinstance(value, str) else ""


def model(states: dict[str, dict[str, Any]], name: str, **match: Any) -> str:
    """The one model id of model ``name`` whose state has the ``match`` values."""
    found = [
        mid
        for mid, s in states.items()
        if s["_model_name"] == name and all(s.get(k) == v for k, v in match.items())
    ]
    if len(found) != 1:
        raise LookupError(f"{len(found)} {name} models match {match}")
    return found[0]


def score_table(states: dict[str, dict[str, Any]]) -> str:
    """The model id of the page's Attachment 4 form (one model for the whole sheet)."""
    return model(states, "AnyModel", _anywidget_id="casework.ui.attachment4_form.ScoreTable")


def veto_ids(states: dict[str, dict[str, Any]], table_id: str) -> list[str]:
    """The veto items the form shows, in order."""
    return [str(v["id"]) for v in states[table_id]["vetoes"]]
