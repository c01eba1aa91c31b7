"""The upload panel for the apps: pick a kind, download its template, upload, import.

The acting user is passed in by the app (from the server), never read from a widget; the
import itself re-checks everything on the server (:func:`casework.intake.import_file`).
"""

from __future__ import annotations

import base64
import html
import logging
from typing import Any

import ipywidgets as widgets

from casework.errors import CaseworkError, ValidationFailed
from casework.intake.importer import import_file
from casework.intake.kinds import KINDS
from casework.intake.templates import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, template
from casework.registry.actors import Actor
from casework.store.engine import Store


def _download(data: bytes, media: str, filename: str, text: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<a download="{html.escape(filename)}" href="data:{media};base64,{encoded}">'
        f"{html.escape(text)}</a>"
    )


def problems_html(exc: ValidationFailed) -> str:
    """The refusal as HTML: the message, then the problems table (every cell escaped)."""
    table = exc.problems.to_html(index=False, escape=True, border=0, classes="casework-problems")
    return f"<p><b>{html.escape(exc.message)}</b></p>{table}"


class UploadPanel(widgets.VBox):
    """Kind dropdown, template links, file upload, import button and the outcome."""

    def __init__(self, store: Store, actor: Actor, **kwargs: Any) -> None:
        self.store, self.actor = store, actor
        self.kind = widgets.Dropdown(
            options=[(f"{k.label}（{k.key}）", k.key) for k in KINDS.values()],
            description="导入类型",
        )
        self.link = widgets.HTML()
        self.upload = widgets.FileUpload(
            accept=".xlsx,.csv", multiple=False, description="选择文件"
        )
        self.button = widgets.Button(description="导入", button_style="primary", icon="upload")
        self.output = widgets.HTML()
        self.kind.observe(lambda _change: self._refresh_link(), names="value")
        self.button.on_click(lambda _button: self.run_import())
        self._refresh_link()
        super().__init__(
            [self.kind, self.link, widgets.HBox([self.upload, self.button]), self.output], **kwargs
        )

    def _refresh_link(self) -> None:
        k = KINDS[self.kind.value]
        self.link.value = (
            _download(
                template(k, "xlsx"),
                XLSX_MEDIA_TYPE,
                f"{k.label}模板.xlsx",
                f"下载“{k.label}”模板（xlsx）",
            )
            + " · "
            + _download(template(k, "csv"), CSV_MEDIA_TYPE, f"{k.label}模板.csv", "csv")
        )

    def run_import(self) -> None:
        """Import the uploaded file as the panel's actor; show the result or every problem."""
        files = self.upload.value
        if not files:
            self.output.value = "<p>请先选择要导入的文件。</p>"
            return
        chosen = files[0]
        name = str(chosen.get("name") or "上传文件")
        try:
            result = import_file(
                self.store, self.actor, self.kind.value, bytes(chosen["content"]), name
            )
        except ValidationFailed as exc:
            self.output.value = problems_html(exc)
        except CaseworkError as exc:
            self.output.value = f"<p><b>未导入：</b>{html.escape(str(exc))}</p>"
        except Exception:  # never a traceback in an app; the log keeps it for the administrator
            logging.getLogger(__name__).exception("import of %s failed", name)
            self.output.value = (
                "<p><b>未导入：</b>系统内部错误，请联系管理员（本次未写入任何数据）。</p>"
            )
        else:
            self.output.value = f"<p>{html.escape(result.summary)}</p>"
            self.upload.value = ()


def upload_panel(store: Store, actor: Actor) -> widgets.Widget:
    """The upload panel for ``actor`` (the server's acting user)."""
    return UploadPanel(store, actor)
