"""End-to-end set-up: a real standalone Voilà server and headless Debian Chromium (Playwright).

Browser tests are marked ``browser``; they are skipped with a reason when Chromium or
Playwright is missing (``make test`` installs both).
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from casework.serve import ServeOptions, serve_env, url, voila_argv

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class VoilaServer:
    opts: ServeOptions
    process: subprocess.Popen[bytes]
    log: Path

    def url(self, notebook: str) -> str:
        return url(self.opts, notebook)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_voila(db_url: str, username: str, log: Path, **options: object) -> VoilaServer:
    """A Voilà server as ``casework serve`` starts one, on a free port; started again on a new
    port when another process took the drawn one first (Voilà serves only at its given port:
    ``--Voila.port_retries=0``; an answer on the port counts once our own log says so)."""
    for _attempt in range(3):
        opts = ServeOptions(port=free_port(), token="e2e-token", **options)  # type: ignore[arg-type]
        process = subprocess.Popen(
            voila_argv(opts),
            env=serve_env(username, db_url),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        if _answers(opts, process, log):
            return VoilaServer(opts, process, log)
        process.terminate()
        process.wait(timeout=20)
        if "already in use" not in log.read_text(errors="replace"):
            break
    raise RuntimeError(f"Voilà did not start: {log.read_text(errors='replace')[-2000:]}")


def _answers(opts: ServeOptions, process: subprocess.Popen[bytes], log: Path) -> bool:
    """Whether this Voilà (not another server on its port) answers within 90 s."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        if f":{opts.port}/" in log.read_text(errors="replace"):  # "Voilà is running at: …"
            try:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{opts.port}/api/status?token={opts.token}", timeout=5
                )
                return True
            except urllib.error.HTTPError:
                return True
            except OSError:
                pass
        time.sleep(0.3)
    return False


def logged(server: VoilaServer, text: str, seconds: float = 30) -> str:
    """The server's log once it shows ``text`` or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    log = server.log.read_text(errors="replace")
    while text not in log and time.monotonic() < deadline:
        time.sleep(0.5)
        log = server.log.read_text(errors="replace")
    return log


def stop(server: VoilaServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
