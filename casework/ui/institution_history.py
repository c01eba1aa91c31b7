"""机构档案（市级、省级）: the notebook entry point.

The page lives in :mod:`casework.dashboard.institution`.
"""

from casework.dashboard.institution import app, build

__all__ = ["app", "build"]
