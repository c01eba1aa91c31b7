"""Running the ``casework`` command in tests: in a new process (as a user runs it) or, for the
many tests that only check what a command does, in this process (no second interpreter start).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import casework
from casework.cli import main

REPO = Path(casework.__file__).resolve().parent.parent


@dataclass(frozen=True)
class Done:
    """What a finished command left: its exit code and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def in_new_process(*args: str) -> Done:
    """``python -m casework.cli ARGS`` with ``CASEWORK_DB`` unset (the tests pass ``--db``)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    env.pop("CASEWORK_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "casework.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    return Done(done.returncode, done.stdout, done.stderr)


def in_process(*args: str) -> Done:
    """``casework.cli.main(ARGS)`` here, with its output captured (argparse exits included)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return Done(code, out.getvalue(), err.getvalue())
