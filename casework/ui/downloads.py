"""Downloads in a hardened Voilà (which serves no files): the bytes travel inside the page
as a ``data:`` link the browser saves under the given name."""

from __future__ import annotations

import base64

from casework.ui.markup import esc

MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html",
    "json": "application/json",
}


def download_link(name: str, data: bytes, label: str | None = None) -> str:
    """An ``<a download>`` link carrying ``data``; the MIME type follows the file's suffix."""
    suffix = name.rsplit(".", 1)[-1].lower()
    mime = MIME.get(suffix, "application/octet-stream")
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<a class="cw-download" download="{esc(name)}" '
        f'href="data:{mime};base64,{encoded}">{esc(label or "下载 " + name)}</a>'
    )
