"""Where casework finds its policy files (``schemas/``) and its default database."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def schemas_dir() -> Path:
    """The folder of versioned policy files: ``CASEWORK_SCHEMAS``, else the repo's ``schemas/``."""
    configured = os.environ.get("CASEWORK_SCHEMAS")
    return Path(configured) if configured else REPO_DIR / "schemas"
