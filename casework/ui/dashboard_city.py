"""本市看板（市级负责人、市级经办）: the notebook entry point.

The page lives in :mod:`casework.dashboard.city`.
"""

from casework.dashboard.city import app, build

__all__ = ["app", "build"]
