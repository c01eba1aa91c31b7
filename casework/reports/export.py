"""Export an executed report notebook: self-contained HTML, and PDF printed by Debian Chromium.

The HTML has no code cells and loads nothing from any other address: the widget manager
(``static/html-manager-embed.js``) is inlined, so an intranet with no internet shows the forms
whole, in their final state. nbconvert's stock template would fetch require.js, the widget
manager, MathJax and Mermaid from public CDNs.

The PDF is that HTML printed by headless Chromium (nbconvert's ``WebPDFExporter`` subclassed to
launch ``/usr/bin/chromium`` instead of a downloaded browser, to refuse every request that is not
the page itself, and to wait until every widget has rendered). Chromium prints text as text with
the CJK fonts embedded, so ``pdftotext`` reads the Chinese back.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup
from nbconvert.exporters import HTMLExporter, WebPDFExporter
from nbformat import NotebookNode
from traitlets.config import Config

from casework.errors import CaseworkError

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
TEMPLATE = "casework_report"
WIDGET_JS = STATIC / "html-manager-embed.js"
INERT = (
    "/* @import url('https://fonts.googleapis.com/css?family=Roboto+Mono'); */",
    "//# sourceMappingURL=embed.js.map",
)
"""A CSS comment holding a Google Fonts @import, and the source map (not shipped)."""
SLOT = '<script type="text/javascript">/*CASEWORK-WIDGET-MANAGER*/</script>'
HIDDEN_TAGS = ("parameters", "injected-parameters", "casework-figures")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RENDERED = """() => {
  const views = document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]').length;
  return document.querySelectorAll('.widget-subarea').length >= views;
}"""
RENDER_TIMEOUT_MS = 60_000


class ReportExportFailed(CaseworkError):
    """A report could not be exported (e.g. it tried to load something from outside)."""


@lru_cache(maxsize=1)
def widget_manager_js() -> str:
    """The vendored widget manager, safe to inline in a ``<script>`` element."""
    if not WIDGET_JS.exists():
        raise ReportExportFailed(f"缺少本地部件管理器脚本：{WIDGET_JS}（见 static/README.md）")
    text = WIDGET_JS.read_text(encoding="utf-8")
    for inert in INERT:  # references that never load, dropped so that none is left to audit
        text = text.replace(inert, "")
    return text.replace("</script", "<\\/script")


@lru_cache(maxsize=1)
def report_css() -> str:
    return (TEMPLATES / TEMPLATE / "report.css").read_text(encoding="utf-8")


def _config() -> Config:
    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_TAGS)
    return c


class _ReportTemplate:
    """The template and the inlining shared by the HTML and the PDF exporter."""

    def _settings(self) -> dict[str, Any]:
        return {
            "template_name": TEMPLATE,
            "extra_template_basedirs": [str(TEMPLATES)],
            "exclude_input": True,
            "exclude_input_prompt": True,
            "exclude_output_prompt": True,
            "exclude_anchor_links": True,
            "config": _config(),
        }

    @staticmethod
    def _resources(resources: dict[str, Any] | None) -> dict[str, Any]:
        resources = dict(resources or {})
        resources["casework_css"] = Markup(report_css())
        return resources

    @staticmethod
    def _inline(nb: NotebookNode, html: str) -> str:
        script = f"<script>{widget_manager_js()}</script>" if "widgets" in nb.metadata else ""
        return html.replace(SLOT, script)


class ReportHTMLExporter(_ReportTemplate, HTMLExporter):
    """Self-contained HTML: no code, widget manager inlined, nothing fetched from outside."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**{**self._settings(), **kw})

    def from_notebook_node(  # type: ignore[override]
        self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        html, resources = super().from_notebook_node(nb, self._resources(resources), **kw)
        return self._inline(nb, html), resources


class ChromiumSession:
    """One headless Debian Chromium, reused for a batch of PDFs (start-up is paid once).

    Uses Playwright's sync API: call it from a thread with no running event loop.
    """

    def __init__(self) -> None:
        self._playwright: Any = None
        self.browser: Any = None

    def __enter__(self) -> ChromiumSession:
        from playwright.sync_api import sync_playwright

        if not Path(CHROMIUM).exists():
            raise ReportExportFailed("未安装 Chromium，无法生成 PDF：请执行 make system-deps")
        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.browser is not None:
            self.browser.close()
        if self._playwright is not None:
            self._playwright.stop()

    def pdf(self, html: str) -> bytes:
        """Print ``html`` to A4 PDF once its widgets have rendered; refuse outside requests."""
        blocked: list[str] = []
        errors: list[str] = []

        def route(r: Any) -> None:
            url = r.request.url
            if url.startswith(("file:", "data:", "blob:")):
                r.continue_()
            else:
                blocked.append(url)
                r.abort()

        with tempfile.TemporaryDirectory(prefix="casework-pdf-") as scratch:
            page_file = Path(scratch) / "report.html"
            page_file.write_text(html, encoding="utf-8")
            page = self.browser.new_page()
            try:
                page.route("**/*", route)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(page_file.as_uri(), wait_until="load")
                try:
                    page.wait_for_function(RENDERED, timeout=RENDER_TIMEOUT_MS)
                except Exception as exc:
                    raise ReportExportFailed(
                        f"报告中的表单未能渲染：{'; '.join(errors) or exc}"
                    ) from exc
                page.emulate_media(media="print")
                data: bytes = page.pdf(
                    format="A4", print_background=True, prefer_css_page_size=True
                )
            finally:
                page.close()
        if blocked:
            raise ReportExportFailed(f"报告试图从外部地址加载资源：{'、'.join(blocked[:5])}")
        return data


class ReportPDFExporter(_ReportTemplate, WebPDFExporter):
    """nbconvert's web PDF exporter on Debian Chromium, printing the self-contained HTML.

    ``session`` (a :class:`ChromiumSession`) is reused when set; otherwise each export
    launches Chromium once.
    """

    session: ChromiumSession | None = None

    def __init__(self, **kw: Any) -> None:
        super().__init__(**{**self._settings(), **kw})

    def run_playwright(self, html: str) -> bytes:
        if self.session is not None:
            return self.session.pdf(html)
        with ChromiumSession() as session:
            return session.pdf(html)

    def from_notebook_node(  # type: ignore[override]
        self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[bytes, dict[str, Any]]:
        html, resources = HTMLExporter.from_notebook_node(
            self, nb, self._resources(resources), **kw
        )
        return self.run_playwright(self._inline(nb, html)), resources
