"""Seconds from ``make run`` in a fresh checkout until the first URL is printed (issue #17:
goal ≤ 60 s on a machine that already has the Debian packages).

The current code is measured, not the last commit: the checkout is cloned into a temporary
directory and every file ``git ls-files`` lists (tracked and untracked, not ignored) is copied
over from the working copy (a file deleted there is deleted in the clone). ``make run`` then
starts there with a new virtual environment (uv keeps its own cache, so packages are not
downloaded again), a new SQLite database and a block of free ports. The time is split into
set-up (the virtual environment), the demo build and the start of the servers, read from the
commands make echoes. The servers are stopped (their process group) and the temporary
directory removed; nothing is written into the checkout.

    .venv/bin/python bench/bench_first_run.py [--timeout 900]
"""

from __future__ import annotations

import argparse
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOAL = 60.0
PORTS = 10  # `casework serve` starts one server per demo user on consecutive ports
URL = re.compile(r"https?://\S+")


def copy_current_tree(repo: Path, dest: Path) -> None:
    """``git clone`` of ``repo`` into ``dest``, with the working copy's files laid over it."""
    subprocess.run(["git", "clone", "--quiet", str(repo), str(dest)], check=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source, target = repo / name, dest / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif target.is_file():  # tracked but deleted in the working copy
            target.unlink()


def free_port_block(count: int = PORTS) -> int:
    """The first port of ``count`` consecutive ports nothing listens on."""
    for first in range(20000, 60000, count):
        try:
            for port in range(first, first + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise RuntimeError("no free block of ports")


def clean_env(workdir: Path, port: int) -> dict[str, str]:
    """The caller's environment without casework's settings or an active virtualenv."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CASEWORK_", "JUPYTERHUB_")) and k not in ("VIRTUAL_ENV", "MAKEFLAGS")
    }
    env["CASEWORK_PORT"] = str(port)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_until_url(workdir: Path, env: dict[str, str], timeout: float) -> dict[str, float]:
    """Start ``make run`` in its own process group; the times of its milestones (s)."""
    start = time.monotonic()
    marks: dict[str, float] = {}
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"VENV={workdir / '.venv'}"],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert proc.stdout is not None
    tail: list[str] = []
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buffer = b""
    try:
        while "url" not in marks:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                raise TimeoutError(f"no URL after {timeout:.0f} s")
            if not sel.select(timeout=min(left, 1.0)):
                if proc.poll() is not None:
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            now = time.monotonic() - start
            for raw in lines:
                line = raw.decode(errors="replace")
                tail = [*tail[-30:], line]
                if " demo" in line and "casework" in line and "demo" not in marks:
                    marks["demo"] = now  # make echoes the demo command: set-up is done
                elif " serve" in line and "casework" in line and "serve" not in marks:
                    marks["serve"] = now
                elif URL.search(line) and "url" not in marks:
                    marks["url"] = now
        if "url" not in marks:
            print("\n".join(tail), file=sys.stderr)
            raise RuntimeError(f"make run ended (status {proc.poll()}) before printing a URL")
    finally:
        stop(proc)
    return marks


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop make, ``casework serve`` and its Voilà servers (each in its own group, stopped by
    ``casework serve`` itself on SIGTERM)."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            continue
    if proc.stdout is not None:
        proc.stdout.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="casework-first-run-"))
    try:
        workdir = tmp / "casework"
        copy_current_tree(REPO, workdir)
        port = free_port_block()
        marks = run_until_url(workdir, clean_env(workdir, port), args.timeout)
        load_after = os.getloadavg()
        report(marks, load_before, load_after)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def report(
    marks: dict[str, float],
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    total = marks["url"]
    setup = marks.get("demo", marks.get("serve", total))
    demo = marks.get("serve", total) - setup
    serve = total - marks.get("serve", total)
    print(
        f"make run, fresh checkout → first URL: {total:.1f} s "
        f"(set-up {setup:.1f} s, demo {demo:.1f} s, serve {serve:.1f} s)"
    )
    print(f"ratio to the {GOAL:.0f} s goal: {total / GOAL:.2f}")
    print(
        "load average (1/5/15 min): before "
        + " ".join(f"{x:.2f}" for x in load_before)
        + ", after "
        + " ".join(f"{x:.2f}" for x in load_after)
        + f" on {os.cpu_count()} cores",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
