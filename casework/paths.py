"""Where casework finds its policy files (``schemas/``) and its app pages (``notebooks/``).

The policy files ship inside the package: the repository's top-level ``schemas/`` becomes
``casework/schemas/`` in the wheel (``setup.py``), read through :mod:`importlib.resources`.
In a checkout the repository's folder itself is used. A province's own folder
(``CASEWORK_SCHEMAS``) is merged over the shipped one file by file: a file there with the same
relative path replaces the shipped file, a new file (a revised rubric, a year of holidays) is
added. :func:`policy_in_force` reports which file, from where and of which version, is used.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from casework import settings

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent

SHIPPED = "随包发布"


@functools.cache
def _packaged(folder: str) -> Path:
    """``casework/<folder>`` inside an installed wheel, else the checkout's ``<folder>/``."""
    packaged = resources.files("casework") / folder
    if packaged.is_dir():
        return Path(str(packaged))
    return REPO_DIR / folder


def shipped_schemas() -> Path:
    """The policy files this version of casework was released with."""
    return _packaged("schemas")


def configured_schemas() -> Path | None:
    """The province's own policy folder (``CASEWORK_SCHEMAS``), if one is configured."""
    value = settings.SCHEMAS.get()
    return Path(value).expanduser() if value else None


def schemas_dir() -> Path:
    """The folder new policy files go to: ``CASEWORK_SCHEMAS``, else the shipped folder.

    Readers use :func:`policy_file` and :func:`policy_files`, which merge both.
    """
    return configured_schemas() or shipped_schemas()


def policy_file(*parts: str) -> Path:
    """One policy file (``policy_file("reference", "cities.yaml")``): the configured folder's if
    it has one, else the shipped one (the configured path when neither exists, for the error)."""
    configured = configured_schemas()
    if configured is not None and configured.joinpath(*parts).is_file():
        return configured.joinpath(*parts)
    shipped = shipped_schemas().joinpath(*parts)
    if shipped.is_file() or configured is None:
        return shipped
    return configured.joinpath(*parts)


def policy_files(folder: str, pattern: str = "*.yaml") -> list[Path]:
    """The files of one policy folder, shipped and configured merged by name (configured wins)."""
    found: dict[str, Path] = {}
    for base in (shipped_schemas(), configured_schemas()):
        if base is not None and (base / folder).is_dir():
            found.update((p.name, p) for p in (base / folder).glob(pattern) if p.is_file())
    return [found[name] for name in sorted(found)]


def notebooks_dir() -> Path:
    """The app pages Voilà serves: the checkout's ``notebooks/``, else the wheel's copy."""
    checkout = REPO_DIR / "notebooks"
    return checkout if (REPO_DIR / "pyproject.toml").is_file() else _packaged("notebooks")


# --- which policy is in force -----------------------------------------------------------------
@dataclass(frozen=True)
class PolicyFile:
    """One policy file in use: its path under ``schemas/``, its origin, its id and version."""

    name: str
    origin: str
    id: str
    version: str
    path: Path


def _header(path: Path) -> tuple[str, str]:
    """The ``id`` and ``version`` of a policy file (read without validating it)."""
    import yaml

    try:
        doc: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return "", "（无法读取）"
    if not isinstance(doc, dict):
        return "", ""
    return str(doc.get("id") or ""), str(doc.get("version") or "")


def policy_in_force() -> list[PolicyFile]:
    """Every policy file in use, shipped or the province's own, with its id and version."""
    configured = configured_schemas()
    names: set[str] = set()
    for base in (shipped_schemas(), configured):
        if base is not None and base.is_dir():
            names |= {p.relative_to(base).as_posix() for p in base.rglob("*.yaml")}
    rows = []
    for name in sorted(names):
        path = policy_file(*name.split("/"))
        origin = (
            str(configured)
            if configured is not None and path.is_relative_to(configured)
            else SHIPPED
        )
        rows.append(PolicyFile(name, origin, *_header(path), path))
    return rows


def version_report() -> str:
    """``casework --version``: the package version and the policy files in force."""
    from casework import __version__

    configured = configured_schemas()
    lines = [
        f"casework {__version__}",
        f"随包政策数据：{shipped_schemas()}",
        f"本省政策数据（CASEWORK_SCHEMAS）：{configured if configured else '未配置'}",
        "生效的政策文件：",
    ]
    lines += [f"  {f.name}  {f.id} {f.version}  （{f.origin}）" for f in policy_in_force()]
    return "\n".join(lines)


class VersionAction(argparse.Action):
    """``--version``: print :func:`version_report` and exit (computed only when asked)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "显示版本和生效的政策文件")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> None:
        sys.stdout.write(version_report() + "\n")
        parser.exit()
