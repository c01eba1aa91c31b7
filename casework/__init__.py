"""casework — selection, filing, renewal, supervision and exit of Shandong's special vocational
ability assessment institutions under notice 鲁人社函〔2025〕23号.

``import casework`` stays light: storage, widgets, documents and server code load lazily.
In IPython, ``%load_ext casework`` adds rich displays and case-officer magics.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.2.0"


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext casework``: register the magics and rich displays."""
    from casework.extension import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext casework``."""
    from casework.extension import unload

    unload(ipython)
