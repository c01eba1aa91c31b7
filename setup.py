"""Build step: the repository's ``schemas/`` and ``notebooks/`` go into the wheel as
``casework/schemas/`` and ``casework/notebooks/`` (package data, read through
``importlib.resources``; see ``casework/paths.py``). Everything else is in ``pyproject.toml``."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = {"schemas": ("*.yaml", "*.md", "*.sample"), "notebooks": ("*.ipynb",)}


class BuildPyWithPolicy(build_py):
    """``build_py`` that also copies the policy files and the app pages into the package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's folders directly
            return
        for folder, patterns in SHIPPED.items():
            source = HERE / folder
            target = Path(self.build_lib) / "casework" / folder
            if target.exists():
                shutil.rmtree(target)
            for pattern in patterns:
                for path in source.rglob(pattern):
                    if ".ipynb_checkpoints" in path.parts:
                        continue
                    dest = target / path.relative_to(source)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, dest)


setup(cmdclass={"build_py": BuildPyWithPolicy})
