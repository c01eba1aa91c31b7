"""全省看板（省级管理）: the notebook entry point.

The page lives in :mod:`casework.dashboard.province`.
"""

from casework.dashboard.province import app, build

__all__ = ["app", "build"]
