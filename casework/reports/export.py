"""Export an executed report notebook: self-contained HTML, and PDF printed by Debian Chromium.

The HTML has no code cells and loads nothing from any other address: the widget manager
(``static/html-manager-embed.js``) is inlined, so an intranet with no internet shows the forms
whole, in their final state. nbconvert's stock template would fetch require.js, the widget
manager, MathJax and Mermaid from public CDNs.

Every report opens with its archive stamp (``stamp.py``: who decided, who archived and when,
program and rubric versions, archive entry) and carries its own font (``fonts.py``). Each form
is there twice: as widgets for the widget manager, and as static HTML that is read with
JavaScript off and is what the PDF prints (every word, no text box cut off).

The PDF is that HTML printed by headless Chromium (nbconvert's ``WebPDFExporter`` subclassed to
launch ``/usr/bin/chromium`` instead of a downloaded browser, to refuse every request that is not
the page itself, and to wait until every widget has rendered), with page numbers and the archive
footer (case, entry, SHA-256 of the archived HTML) in the page margins, then made PDF/A-2b
(``pdfa.py``). Chromium prints text as text with the fonts embedded, so ``pdftotext`` reads the
Chinese back as written.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
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
from casework.reports.fonts import FAMILY, font_css
from casework.reports.pdfa import to_pdfa
from casework.reports.stamp import Stamp

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
FONT_SLOT = "/*CASEWORK-FONTS*/"
PAGE_NUMBERS = "第页共"
SCRIPTS = re.compile(r"<script\b.*?</script>", re.S | re.I)
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
        stamp = resources.get("casework_stamp")
        resources["casework_header"] = Markup(stamp.header_html() if stamp else "")
        return resources

    @staticmethod
    def _inline(nb: NotebookNode, html: str, stamp: Stamp | None = None) -> str:
        """Inline the report's font (subset to the text it shows, the PDF footer's included)
        and the widget manager."""
        shown = SCRIPTS.sub("", html)
        footer = stamp.footer_text("") if stamp else ""
        html = html.replace(FONT_SLOT, font_css([shown, footer, PAGE_NUMBERS]), 1)
        script = f"<script>{widget_manager_js()}</script>" if "widgets" in nb.metadata else ""
        return html.replace(SLOT, script)


class ReportHTMLExporter(_ReportTemplate, HTMLExporter):
    """Self-contained HTML: no code, widget manager inlined, nothing fetched from outside."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**{**self._settings(), **kw})

    def from_notebook_node(  # type: ignore[override]
        self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        resources = self._resources(resources)
        html, resources = super().from_notebook_node(nb, resources, **kw)
        return self._inline(nb, html, resources.get("casework_stamp")), resources


def digest(html: str) -> str:
    """The SHA-256 of the HTML file as archived (its UTF-8 bytes)."""
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def printable(html: str, footer: str) -> str:
    """The HTML as printed: page numbers and the archive footer in the bottom page margin."""
    margin = f'font-family: "{FAMILY}", serif; font-size: 7pt; color: #333;'
    css = (
        "<style>@page { "
        f"@bottom-left {{ content: {_css_string(footer)}; {margin} vertical-align: top; "
        "white-space: pre; width: 150mm; } "
        f'@bottom-right {{ content: "第" counter(page) "页 共" counter(pages) "页"; {margin} '
        "vertical-align: top; width: 22mm; } }</style>"
    )
    return html.replace("</head>", css + "</head>", 1)


class ChromiumSession:
    """One headless Debian Chromium, reused for a batch of PDFs (start-up is paid once).

    Its pages are printed in one tab, opened once: a new tab costs a renderer process, about
    half a second a report on a loaded machine; each report is a fresh document all the same
    (the tab goes back to ``about:blank`` between reports, and is replaced after a failure).
    Uses Playwright's sync API: call it from a thread with no running event loop.
    """

    def __init__(self) -> None:
        self._playwright: Any = None
        self.browser: Any = None
        self._page: Any = None
        self._blocked: list[str] = []
        self._errors: list[str] = []

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

    def _route(self, r: Any) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            self._blocked.append(url)
            r.abort()

    def _tab(self) -> Any:
        """The tab reports are printed in: every request routed (refused unless local)."""
        if self._page is None:
            page = self.browser.new_page()
            page.route("**/*", self._route)
            page.on("pageerror", lambda e: self._errors.append(str(e)))
            self._page = page
        return self._page

    def pdf(self, html: str) -> bytes:
        """Print ``html`` to A4 PDF once its widgets have rendered; refuse outside requests."""
        blocked: list[str] = []
        errors: list[str] = []
        self._blocked, self._errors = blocked, errors
        with tempfile.TemporaryDirectory(prefix="casework-pdf-") as scratch:
            page_file = Path(scratch) / "report.html"
            page_file.write_text(html, encoding="utf-8")
            page = self._tab()
            try:
                page.emulate_media(media="screen")  # as a new tab: widgets render on screen
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
                page.goto("about:blank")  # nothing of this report is left running
            except BaseException:
                self._page = None
                with contextlib.suppress(Exception):
                    page.close()
                raise
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
        resources = self._resources(resources)
        html, resources = HTMLExporter.from_notebook_node(self, nb, resources, **kw)
        stamp = resources.get("casework_stamp")
        html = self._inline(nb, html, stamp)
        footer = stamp.footer_text(digest(html)) if stamp else ""
        return self.run_playwright(printable(html, footer)), resources

    def archival_pdf(self, html: str, stamp: Stamp, title: str) -> bytes:
        """The exported HTML printed with page numbers and archive footer, as PDF/A-2b."""
        printed = self.run_playwright(printable(html, stamp.footer_text(digest(html))))
        return to_pdfa(
            printed,
            title=title,
            author=stamp.decided_by,
            subject=f"{stamp.procedure} {stamp.case} 归档记录{stamp.entry}",
            creator=f"casework {stamp.version}",
        )
