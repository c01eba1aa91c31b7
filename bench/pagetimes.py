"""Page times taken in the page itself, for the benches that compare an app with an empty page.

Playwright's waits poll at widening intervals (up to half a second), which added a random part
of a second to each wait; so each bench installs a script (``add_init_script``) that records,
with ``performance.now()`` (milliseconds after navigation start), when what it waits for appears
in ``window.__cwMarks``, and reads the marks back with :func:`mark_of`. Voilà keeps a page's
cells hidden (``#rendered_cells``, ``display: none``) until its script is ready: nothing counts
before they are shown (:data:`SHOWN`).
"""

from __future__ import annotations

import time
from typing import Any

SHOWN = """
    const cells = document.getElementById("rendered_cells");
    if (!cells || cells.style.display === "none") return;
"""


def marks_script(checks: str) -> str:
    """An init script that runs ``checks`` (JavaScript, with ``marks``, ``now`` and ``cells`` in
    scope) on every DOM change once Voilà shows the cells."""
    return (
        "(() => {\n  const marks = (window.__cwMarks = {});\n  const check = () => {\n"
        "    const now = performance.now();\n"
        + SHOWN
        + checks
        + "\n  };\n  new MutationObserver(check).observe(document, {\n"
        '    childList: true, subtree: true, attributes: true, attributeFilter: ["style"]});\n'
        '  document.addEventListener("DOMContentLoaded", check);\n})();\n'
    )


def mark_of(page: Any, mark: str, timeout: float = 180) -> float:
    """Seconds from navigation start to ``mark`` (asked every 50 ms: the page keeps the time; the
    pages' CSP forbids Playwright's own wait_for_function)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = page.evaluate(f"window.__cwMarks && window.__cwMarks.{mark}")
        if found is not None:
            return float(found) / 1000
        time.sleep(0.05)
    raise TimeoutError(f"{mark} not reached in {timeout} s")
