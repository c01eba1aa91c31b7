"""Page kernels forked from one pre-loaded parent: warm at once, and their memory shared.

A served page's kernel used to be a fresh ``python -m ipykernel_launcher``: 0.7 s to start, then
0.6 s importing the app, and 150–180 MiB of its own per page (issue #17, P1 and P5). Here a *fork
server* imports IPython, ipykernel, ipywidgets, pandas, pandera, SQLAlchemy and every app module
once, freezes that heap (``gc.freeze``) and then forks one child per kernel. A child is ready in
tens of milliseconds with everything imported, and the pages it shares with its parent and its
siblings stay shared (copy-on-write) as long as nobody writes them.

- :func:`serve` — the fork server's main (``python -m casework.forkserver SOCKET [IDLE]``):
  pre-load, listen on a Unix socket in this user's private folder (mode 0700; the peer must be
  the same user, ``SO_PEERCRED``), fork a kernel per request, reap the children, list them.
- :class:`ForkServer` — a page server's handle: one fork server per system user and code
  version (:func:`code_key`) is shared by every page server of the machine; the first that needs
  it starts it, each holds a *lease* (an open connection) while it runs, and the fork server ends
  10 s after the last lease is gone.
- :class:`ForkProvisioner` — the jupyter_client kernel provisioner (entry point
  ``casework-fork``): a kernel whose command is ``python -m ipykernel_launcher …`` is forked
  when the fork server is ready; anything else, or a fork server that is still pre-loading or has
  died, falls back to an ordinary process, so a page never waits for or fails on the fork server.

What a forked kernel inherits and what it does not: the modules, and nothing else of the parent's
state — each child takes its page's environment (``QUERY_STRING``, the identity, the store URL),
working directory and log (the page server's stdout and stderr, passed over the socket) from the
request, starts its own session (``setsid``: interrupts reach only its group), ends when the page
server that asked for it is gone (checked every 2 s) and, by ``JPY_PARENT_PID``, when the fork
server is. The fork server's own environment keeps nothing of the page server that started it
(:func:`server_env`). Nothing in the parent opens a store, a ZeroMQ context or a thread before
forking.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

PRELOAD = (
    "IPython",
    "ipykernel.ipkernel",
    "ipykernel.kernelapp",
    "ipykernel.comm",
    "ipywidgets",
    "comm",
    "pandas",
    "pandera.pandas",
    "sqlalchemy",
    "sqlalchemy.dialects.sqlite.pysqlite",  # the dialect each page's first engine loads (17 ms)
    "casework.ui.pages",
)
"""Imported by the fork server before it forks; every app module of :data:`casework.ui.pages.PAGES`
is imported too (:func:`preload`)."""
WHEN_INSTALLED = ("psycopg", "sqlalchemy.dialects.postgresql.psycopg")
"""Imported too when installed (the ``postgres`` extra): a PostgreSQL page's first engine loads
them; absent on an SQLite-only installation, which is no failure."""
LAUNCHER = "ipykernel_launcher"
MAX_REQUEST = 1 << 20  # a kernel request is its argv, environment and directory: well under 1 MiB
IDLE_EXIT = 10.0  # seconds the fork server outlives the last page server
FIRST_LEASE = 60.0  # seconds a new fork server waits for its first page server
CHILDREN: dict[int, dict[str, Any]] = {}  # in the fork server: its live kernels (pid, owner, user)
PRELOAD_FAILED: list[str] = []  # in the fork server: told by each kernel to its page server's log
SERVER_ENV = ("PATH", "HOME", "LANG", "TZ", "TMPDIR", "VIRTUAL_ENV", "XDG_RUNTIME_DIR")
OWNER_ENV = "CASEWORK_KERNEL_OWNER"  # in a forked kernel: the pid of the page server it serves
KERNEL_NAME = "cwk-"  # a forked kernel's process name: cwk-<page server pid>


# --- where the fork server lives -----------------------------------------------------------------
def _folder() -> Path | None:
    """This user's private folder for fork-server sockets (mode 0700), or None if it is unsafe."""
    from casework import settings

    folder = settings.runtime_dir() / f"casework-fork-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    info = folder.lstat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077 or not folder.is_dir():
        return None
    return folder


def code_key() -> str:
    """Which fork server serves this process: same interpreter, same casework code (its files'
    sizes and times), same pre-load list — a changed installation gets a new fork server."""
    import hashlib

    import casework

    digest = hashlib.sha256(f"{sys.executable}\0{PRELOAD}".encode())
    package = Path(casework.__file__).parent
    for path in sorted(package.rglob("*.py")):
        info = path.stat()
        digest.update(f"{path.relative_to(package)}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:20]


def server_env(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The fork server's own environment: what finds Python and its packages, nothing of the
    page server that started it (its user, store, hub token), since it is shared. Each kernel
    takes its page's whole environment from its request."""
    env = os.environ if environ is None else environ
    kept = {k: v for k, v in env.items() if k in SERVER_ENV or k.startswith(("LC_", "PYTHON"))}
    return {**kept, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


# --- the fork server (its own process) ----------------------------------------------------------
def preload() -> list[str]:
    """Import what every page kernel needs; return the modules that failed (logged, not fatal)."""
    sys.modules.setdefault("hypothesis", None)  # type: ignore[arg-type]  # kernels.SERVED_KERNEL
    failed: list[str] = []
    names = list(PRELOAD)
    try:
        from casework.ui.pages import PAGES

        names += [f"casework.ui.{page.module}" for page in PAGES]
    except Exception:  # pragma: no cover - the page table itself is broken
        failed.append("casework.ui.pages")
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # a page that fails here fails the same way in its kernel
            failed.append(f"{name}: {exc}")
    for name in WHEN_INSTALLED:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    try:  # the rubric files validated once here, not in each kernel (0.3 s of a sheet's first
        # build); the cache is keyed by the files' bytes, so a kernel that finds a file changed,
        # or a province's own folder (CASEWORK_SCHEMAS), validates again
        from casework.domain import rubrics

        rubrics.available()
    except Exception as exc:  # the page shows the same error in its kernel
        failed.append(f"rubrics: {exc}")
    return failed


def _reap(*_: object) -> None:
    """Collect every ended child (SIGCHLD): no zombie kernels."""
    with contextlib.suppress(ChildProcessError):
        while True:
            pid, _status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                return
            CHILDREN.pop(pid, None)


def _same_user(conn: socket.socket) -> bool:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def _read_request(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """One request line and the descriptors sent with it (the page server's stdout and stderr)."""
    conn.settimeout(5)
    data, fds, _flags, _addr = socket.recv_fds(conn, 65536, 2)
    try:
        while not data.endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
            if len(data) > MAX_REQUEST:
                raise ValueError("request too large")
        request = json.loads(data)
        if request.get("lease") is True or request.get("list") is True:
            return {key: True for key in ("lease", "list") if request.get(key)}, fds
        if not (
            isinstance(request.get("argv"), list)
            and all(isinstance(a, str) for a in request["argv"])
            and isinstance(request.get("env"), dict)
            and isinstance(request.get("cwd"), str)
            and isinstance(request.get("owner"), int)
        ):
            raise ValueError("malformed request")
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    return dict(request), fds


def _name(name: str) -> None:
    """This process's name (``/proc/PID/comm``, 15 bytes at most)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(15, name.encode()[:15])  # PR_SET_NAME


def _watch_owner(owner: int) -> None:
    """In a kernel: end when the page server that asked for it is gone (even by ``kill -9``)."""

    def watch() -> None:
        while True:
            time.sleep(2)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass

    threading.Thread(target=watch, name="casework-owner-watch", daemon=True).start()


def _run_kernel(
    others: list[socket.socket], request: dict[str, Any], fds: list[int]
) -> None:  # pragma: no cover - the child (tested through the kernels it serves)
    """In the forked child: become the page's kernel, then exit without the parent's atexit."""
    code = 1
    try:
        for sock in others:
            sock.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.setsid()
        for target, fd in zip((1, 2), fds, strict=False):  # the page server's log
            os.dup2(fd, target)
        for fd in fds:
            os.close(fd)
        if PRELOAD_FAILED:
            print("casework 内核：以下模块预载失败：" + "；".join(PRELOAD_FAILED), file=sys.stderr)
        gc.unfreeze()
        tempfile.tempdir = None  # TMPDIR is the page server's
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in request["env"].items()})
        # it ends with the fork server (ipykernel's parent poller) and tells whose kernel it is
        os.environ.update({"JPY_PARENT_PID": str(os.getppid()), OWNER_ENV: str(request["owner"])})
        _name(f"{KERNEL_NAME}{request['owner']}")  # for kernels_of: /proc/*/environ is stale
        os.chdir(request["cwd"])
        sys.argv = [LAUNCHER, *request["argv"]]
        _watch_owner(int(request["owner"]))
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(request["argv"])
        # ipywidgets registers its comm targets when it is imported inside a kernel; here it was
        # imported before any kernel existed, so register them now or no widget ever renders
        import ipywidgets

        ipywidgets.register_comm_target()
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def serve(path: str, idle_exit: float = IDLE_EXIT) -> None:
    """Pre-load, then fork a kernel for each request on the Unix socket ``path``.

    Page servers hold a *lease* (an open connection) while they run; the fork server ends
    ``idle_exit`` seconds after the last lease is gone (its kernels end with it)."""
    import selectors

    global PRELOAD_FAILED
    PRELOAD_FAILED = preload()
    gc.collect()
    gc.freeze()  # the pre-loaded heap is never scanned again: its pages stay shared
    signal.signal(signal.SIGCHLD, _reap)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    partial = f"{path}.{os.getpid()}.tmp"
    listener.bind(partial)
    os.chmod(partial, 0o600)
    listener.listen(64)
    os.replace(partial, path)  # the socket appears only when the server is ready
    mine = os.stat(path).st_ino
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    leases: list[socket.socket] = []
    quiet_since, grace = time.monotonic(), max(idle_exit, FIRST_LEASE)
    try:
        while leases or time.monotonic() - quiet_since < grace:
            for key, _ in selector.select(timeout=1.0):
                if key.fileobj is not listener:  # a lease ended (its page server stopped)
                    lease = key.fileobj
                    assert isinstance(lease, socket.socket)
                    with contextlib.suppress(OSError):
                        if lease.recv(1024):
                            continue
                    selector.unregister(lease)
                    leases.remove(lease)
                    lease.close()
                    quiet_since, grace = time.monotonic(), idle_exit
                    continue
                conn, _ = listener.accept()
                try:
                    if not _same_user(conn):
                        conn.close()
                        continue
                    request, fds = _read_request(conn)
                except (OSError, ValueError):
                    conn.close()
                    continue
                if request.get("list"):
                    with contextlib.suppress(OSError):
                        conn.sendall(json.dumps(list(CHILDREN.values())).encode() + b"\n")
                    conn.close()
                    continue
                if request.get("lease"):
                    conn.settimeout(None)
                    leases.append(conn)
                    selector.register(conn, selectors.EVENT_READ)
                    continue
                pid = os.fork()
                if pid == 0:  # pragma: no cover - the child
                    selector.close()
                    _run_kernel([listener, conn, *leases], request, fds)
                for fd in fds:
                    os.close(fd)
                env = request["env"]
                CHILDREN[pid] = {
                    "pid": pid,
                    "owner": request["owner"],
                    "user": env.get("JUPYTERHUB_USER") or env.get("CASEWORK_USER") or "",
                }
                with contextlib.suppress(OSError):
                    conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
                conn.close()
    finally:
        with contextlib.suppress(FileNotFoundError):
            if os.stat(path).st_ino == mine:  # not a successor's socket
                os.unlink(path)
        listener.close()


# --- the page server's side ---------------------------------------------------------------------
def _starting(pid: str, path: str) -> bool:
    """Whether the fork server ``pid`` (from the lock file) for ``path`` is still alive."""
    import psutil

    try:
        process = psutil.Process(int(pid))
        return process.status() != psutil.STATUS_ZOMBIE and path in process.cmdline()
    except (ValueError, psutil.Error):
        return False


class ForkServer:
    """This user's fork server for this code (:func:`code_key`), shared by every page server of
    the machine: started by the first that needs it, held by a lease by each."""

    _current: ForkServer | None = None

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = f"{path}.lock"
        self.lease: socket.socket | None = None
        self.process: subprocess.Popen[bytes] | None = None
        """The fork server this process started, if it did (held: it runs on, detached)."""
        self._leasing = threading.Lock()
        self._waiting: threading.Thread | None = None

    @classmethod
    def start(cls) -> ForkServer | None:
        """This process's fork server: leased, and started first when none runs (it pre-loads in
        the background; until it is ready kernels start as ordinary processes)."""
        if cls._current is None:
            folder = _folder()
            if folder is None:
                return None
            cls._current = cls(str(folder / f"{code_key()}.sock"))
        cls._current.ensure()
        return cls._current

    def ensure(self) -> None:
        """Hold a lease on the running fork server, or start one (once, machine-wide: the page
        servers of ``casework serve`` start together)."""
        if self._take_lease():
            return
        import fcntl

        with open(self.lock, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self._take_lease():
                return
            lock.seek(0)
            if not _starting(lock.read().strip(), self.path):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.path)  # a fork server that died left its socket
                process = subprocess.Popen(
                    [sys.executable, "-m", "casework.forkserver", self.path],
                    env=server_env(),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,  # shared: it must not hold the first one's pipes
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,  # shared: it outlives the page server that started it
                )
                lock.seek(0)
                lock.truncate()
                lock.write(str(process.pid))
                lock.flush()
                self.process = process
        self._lease_when_ready()

    def _lease_when_ready(self) -> None:
        """Take the lease as soon as the fork server is ready (one thread), so it is held before
        the first page asks for a kernel."""
        if self._waiting is not None and self._waiting.is_alive():
            return

        def wait() -> None:
            deadline = time.monotonic() + FIRST_LEASE
            while self.lease is None and time.monotonic() < deadline:
                if self._take_lease():
                    return
                time.sleep(0.1)

        self._waiting = threading.Thread(target=wait, name="casework-fork-lease", daemon=True)
        self._waiting.start()

    def _take_lease(self) -> bool:
        with self._leasing:
            if self.lease is not None:
                return True
            if not os.path.exists(self.path):
                return False
            lease = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                lease.connect(self.path)
                lease.sendall(b'{"lease": true}\n')
            except OSError:
                lease.close()
                return False
            self.lease = lease
            return True

    def ready(self) -> bool:
        """Leased and accepting (a lease lost with a fork server that ended is taken anew)."""
        if self.lease is not None:
            try:
                if self.lease.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) == b"":
                    self.lease.close()
                    self.lease = None
            except BlockingIOError:
                pass
            except OSError:
                self.lease = None
        if self.lease is None:
            self.ensure()
        return self.lease is not None

    def wait_ready(self, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready():
                return True
            time.sleep(0.05)
        return False

    def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> int:
        """A kernel forked with ``argv`` (after ``-m ipykernel_launcher``); its pid. Its output
        goes to this process's stdout and stderr."""
        request = {"argv": argv, "env": env, "cwd": cwd, "owner": os.getpid()}
        return int(self._ask(request, (1, 2))["pid"])

    def kernels(self) -> list[dict[str, Any]]:
        """The fork server's live kernels: pid, owner (page server pid) and acting user — for the
        administrator, and for tests (a forked kernel's ``/proc/PID/environ`` is its parent's)."""
        return list(self._ask({"list": True}))

    def _ask(self, request: dict[str, Any], fds: tuple[int, ...] = ()) -> Any:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(30)
            conn.connect(self.path)
            socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], list(fds))
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = conn.recv(65536)
                if not chunk:
                    raise OSError("fork server closed the connection")
                reply += chunk
        return json.loads(reply)

    def stop(self) -> None:
        """Give up the lease (the fork server ends when no page server holds one)."""
        if self.lease is not None:
            self.lease.close()
            self.lease = None
        if ForkServer._current is self:
            ForkServer._current = None


def forked_kernels() -> list[dict[str, Any]]:
    """Every live forked kernel of this user's fork servers (pid, owner, user)."""
    folder = _folder()
    found: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.sock")) if folder else []:
        with contextlib.suppress(OSError, ValueError):
            found += ForkServer(str(path)).kernels()
    return found


def kernels_of(server_pid: int) -> list[Any]:
    """The live kernels of the page server ``server_pid``: its children running
    ``ipykernel_launcher`` and the kernels forked for it (named ``cwk-<server pid>``)."""
    import psutil

    found = []
    for process in psutil.process_iter():
        try:
            if process.status() == psutil.STATUS_ZOMBIE or process.pid == server_pid:
                continue
            cmdline = " ".join(process.cmdline())
            if LAUNCHER in cmdline:
                if server_pid in {p.pid for p in process.parents()}:
                    found.append(process)
            elif process.name() == f"{KERNEL_NAME}{server_pid}"[:15]:
                found.append(process)
        except psutil.Error:
            continue
    return found


class ForkedProcess:
    """What :class:`LocalProvisioner` needs of a ``Popen`` for a kernel that is not our child.

    The fork server reaps it; ``psutil`` tells a live kernel from its pid's next owner."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        import psutil

        self.pid = pid
        self.returncode: int | None = None
        try:
            self._process: Any = psutil.Process(pid)
        except psutil.Error:
            self._process = None
            self.returncode = 0

    def poll(self) -> int | None:
        import psutil

        if self.returncode is None:
            try:
                alive = self._process.is_running() and (
                    self._process.status() != psutil.STATUS_ZOMBIE
                )
            except psutil.Error:
                alive = False
            if not alive:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.05)
        return int(self.returncode or 0)

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _launcher_argv(cmd: list[str]) -> list[str] | None:
    """The kernel's own arguments when ``cmd`` is ``<this python> -m ipykernel_launcher …``."""
    if len(cmd) >= 3 and cmd[1:3] == ["-m", LAUNCHER]:
        same = os.path.realpath(cmd[0]) == os.path.realpath(sys.executable) or cmd[0] in (
            "python",
            "python3",
        )
        return cmd[3:] if same else None
    return None


class ForkProvisioner(LocalProvisioner):
    """Kernels forked from the pre-loaded fork server; an ordinary process when it is not ready."""

    forked = False

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        server = ForkServer.start()  # leased; the first kernel of a process starts it
        argv = _launcher_argv(cmd)
        if server is None or argv is None or not server.ready():
            return await super().launch_kernel(cmd, **kwargs)
        env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
        cwd = str(kwargs.get("cwd") or os.getcwd())
        try:
            pid = await asyncio.to_thread(server.fork, argv, env, cwd)
        except (OSError, ValueError, KeyError):
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedProcess(pid)  # type: ignore[assignment]  # Popen-like
        self.pid = pid
        self.pgid = pid  # the child called setsid()
        self.cwd = cwd
        self.forked = True
        return self.connection_info


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        print("用法：python -m casework.forkserver 套接字路径 [空闲退出秒数]", file=sys.stderr)
        return 2
    serve(args[0], float(args[1]) if len(args) == 2 else IDLE_EXIT)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
