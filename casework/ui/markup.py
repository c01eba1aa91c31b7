"""The one HTML escaping helper of the apps and the dashboards (no widget library needed)."""

from __future__ import annotations

import html
import math


def esc(value: object) -> str:
    """``value`` as text safe inside HTML, quotes included; None and NaN as empty text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)
