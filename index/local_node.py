"""Start and stop the local single-node Elasticsearch.

The distribution and the JDK come from :mod:`index.es_dist`, with shelfmap's Korean
analysis plugin installed by :mod:`index.es_plugin` (unless ``es_korean`` is off). The
node binds to 127.0.0.1 with security off, a bounded heap and its own config, data and
logs folders.

Elasticsearch refuses to run as root. When shelfmap runs as root, the node runs as an
unprivileged system user (``settings.es_user_name``) and its files live where a
packaged install would keep them, in :data:`SERVICE_ROOT` (a folder under ``/root`` or
a ``mktemp -d`` folder is mode 700 and unreachable for that user); ``es_dir/data`` is
a symlink to the node folder so the data can still be found from ``SHELFMAP_HOME``.
Otherwise everything lives under ``settings.es_dir`` and ``settings.cache_path``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

log = logging.getLogger("shelfmap.es")

from index import es_plugin
from index.es_dist import (SERVICE_ROOT, DistributionError, JavaNotFound, LocalNodeError,
                           as_root, chown_tree, ensure_user, service_dir,
                           ensure_distribution, find_java, java_major)

__all__ = ["DistributionError", "ExternalClusterConfigured", "JavaNotFound", "LocalNode",
           "LocalNodeError", "PortInUse", "cli", "running"]


class ExternalClusterConfigured(LocalNodeError):
    """SHELFMAP_ES_URL is set, so shelfmap runs no node of its own."""


class PortInUse(LocalNodeError):
    """Something other than our node listens on the configured port."""


# --- the node --------------------------------------------------------------------------

def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _get_json(url: str, timeout: float = 5.0) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read())
    except (OSError, ValueError):  # URLError, HTTPError, timeouts, refused, bad JSON
        return None


def _node_info(url: str) -> dict | None:
    """Cluster name and version of the node at ``url``. Not ``GET /``: the server-core
    distribution has no handler for it (405, "allowed: [DELETE]")."""
    info = _get_json(url + "/_nodes/_local?filter_path=cluster_name,nodes.*.version",
                     timeout=2.0)
    try:
        (node,) = info["nodes"].values()
        return {"cluster_name": info["cluster_name"], "version": node["version"]}
    except (TypeError, KeyError, ValueError):
        return None


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")  # ends with a space


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in a process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"


class LocalNode:
    """The single local node for one ``SHELFMAP_HOME``."""

    def __init__(self, settings):
        self.settings = settings
        self.url = f"http://127.0.0.1:{settings.es_port}"
        self.pid_file = settings.es_dir / "node.pid"
        self.launcher_log = settings.es_dir / "launcher.log"
        key = hashlib.sha256(str(settings.home_path).encode()).hexdigest()[:12]
        self.cluster_name = f"shelfmap-{key}"
        if as_root():
            self.node_dir = SERVICE_ROOT / "nodes" / key
        else:
            self.node_dir = settings.es_dir
        self._proc: subprocess.Popen | None = None

    # -- what is running ------------------------------------------------------------
    def _recorded_pid(self) -> int | None:
        """The pid from the pid file if that process really is our node, else None."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        if self._proc is not None and self._proc.pid == pid and self._proc.poll() is not None:
            return None  # our child exited (poll() reaped it)
        cmdline = _cmdline(pid)
        if "org.elasticsearch" in cmdline and f"path.data={self.node_dir / 'data'} " in cmdline:
            return pid
        return None

    def _info(self) -> dict | None:
        """``{"cluster_name", "version"}`` if the cluster answering on our port is ours."""
        info = _node_info(self.url)
        return info if info and info["cluster_name"] == self.cluster_name else None

    def is_running(self) -> bool:
        """True when our node's process is alive and it answers on the port."""
        return self._recorded_pid() is not None and self._info() is not None

    def status(self) -> dict:
        pid = self._recorded_pid()
        info = self._info() if pid else None
        health = _get_json(self.url + "/_cluster/health", timeout=2.0) if info else None
        return {"running": bool(pid and info), "pid": pid, "url": self.url,
                "health": health.get("status") if health else None,
                "version": info["version"] if info else None,
                "data": str(self.node_dir / "data")}

    # -- start ----------------------------------------------------------------------
    def start(self, wait: bool = True, timeout: float = 120) -> str:
        """Start the node (or find it already running); return its URL."""
        if not self.settings.local_es:
            raise ExternalClusterConfigured(
                f"SHELFMAP_ES_URL is set ({self.settings.es_url}), so shelfmap starts no local "
                f"node; unset it to use the local one")
        pid = self._recorded_pid()
        if pid is not None:
            if wait:
                self._wait_healthy(pid, timeout)
            return self.url
        if _port_open(self.settings.es_port):
            info = _node_info(self.url) or {}
            what = (f"Elasticsearch cluster {info['cluster_name']!r}" if "cluster_name" in info
                    else "another program")
            raise PortInUse(f"port {self.settings.es_port} is taken by {what}, not by this "
                            f"SHELFMAP_HOME's node; stop it or set SHELFMAP_ES_PORT to a free port")
        started = time.monotonic()
        self.pid_file.unlink(missing_ok=True)
        java = find_java(self.settings)
        dist = ensure_distribution(self.settings)
        if self.settings.es_korean:
            dist = es_plugin.with_plugin(self.settings, dist, java)
        self._proc = self._launch(dist, java)
        self.pid_file.write_text(f"{self._proc.pid}\n")
        if wait:
            try:
                self._wait_healthy(self._proc.pid, timeout)
            except BaseException:
                self.stop()
                raise
            log.info("Elasticsearch up at %s in %.1f s", self.url, time.monotonic() - started)
        return self.url

    def _prepare_dirs(self, dist: Path) -> tuple[int, int] | None:
        self.settings.es_dir.mkdir(parents=True, exist_ok=True)
        owner = None
        if as_root():
            owner = ensure_user(self.settings.es_user_name)
            service_dir(self.node_dir)
            link = self.settings.es_dir / "data"
            if link.is_symlink() and link.resolve() != self.node_dir:
                link.unlink()
            if not link.is_symlink():
                link.symlink_to(self.node_dir, target_is_directory=True)
        # A private copy of config/ per node: Elasticsearch writes its keystore there, and
        # several SHELFMAP_HOMEs may share one distribution.
        config = self.node_dir / "config"
        shutil.rmtree(config, ignore_errors=True)
        shutil.copytree(dist / "config", config)
        for name in ("data", "logs", "tmp"):
            (self.node_dir / name).mkdir(parents=True, exist_ok=True)
        if owner:
            chown_tree(self.node_dir, *owner)
        return owner

    def _launch(self, dist: Path, java: Path) -> subprocess.Popen:
        owner = self._prepare_dirs(dist)
        log.info("starting Elasticsearch %s from %s with the JDK %s (Java %s)%s",
                 self.settings.es_version, dist, java, java_major(java),
                 f" as {self.settings.es_user_name}" if owner else "")
        heap = self.settings.es_heap
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "HOME": str(self.node_dir), "ES_JAVA_HOME": str(java),
               "ES_JAVA_OPTS": f"-Xms{heap} -Xmx{heap}",
               "ES_PATH_CONF": str(self.node_dir / "config"),
               "ES_TMPDIR": str(self.node_dir / "tmp")}
        command = [str(dist / "bin" / "elasticsearch")]
        for key, value in {
            "cluster.name": self.cluster_name,
            "node.name": "shelfmap",
            "path.data": self.node_dir / "data",
            "path.logs": self.node_dir / "logs",
            "network.host": "127.0.0.1",
            "http.port": self.settings.es_port,
            "transport.port": 0,  # any free port: a single node talks to no one
            "discovery.type": "single-node",
            "xpack.security.enabled": "false",
            # A nearly full disk must not turn the indices read-only on a laptop.
            "cluster.routing.allocation.disk.threshold_enabled": "false",
        }.items():
            command += ["-E", f"{key}={value}"]
        if owner:
            uid, gid = owner
            command = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--init-groups", *command]
        with open(self.launcher_log, "ab") as out:
            out.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(command)}\n".encode())
            out.flush()
            # A session of its own: the node outlives `shelfmap es start`, and stop()
            # signals the whole group (the CLI launcher JVM and the server JVM).
            return subprocess.Popen(command, cwd=self.node_dir, env=env,
                                    stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)

    def _wait_healthy(self, pid: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if (self._proc is not None and self._proc.pid == pid
                    and self._proc.poll() is not None) or not _group_members(pid):
                self.pid_file.unlink(missing_ok=True)
                raise LocalNodeError(
                    f"Elasticsearch exited during start; the end of {self.launcher_log}:\n"
                    f"{_tail(self.launcher_log)}")
            if self._info() is not None:
                health = _get_json(self.url + "/_cluster/health?wait_for_status=yellow&timeout=5s",
                                   timeout=10.0)
                if health and health.get("status") in ("yellow", "green"):
                    return
            if time.monotonic() > deadline:
                raise LocalNodeError(
                    f"Elasticsearch did not become healthy at {self.url} within {timeout:.0f} s; "
                    f"the end of {self.launcher_log}:\n{_tail(self.launcher_log)}")
            time.sleep(0.5)

    # -- stop -----------------------------------------------------------------------
    def stop(self, timeout: float = 30) -> bool:
        """Stop our node (the whole process group); True if one was running."""
        pid = self._recorded_pid()
        if pid is None and self._proc is not None and self._proc.poll() is None:
            pid = self._proc.pid
        stopped = False
        with contextlib.suppress(ProcessLookupError):
            if pid is not None and os.getpgid(pid) != pid:
                pid = None  # not a group leader: never signal a group we did not start
        if pid is not None:
            stopped = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while self._alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if self._alive(pid):
                log.warning("Elasticsearch (pid %s) ignored SIGTERM for %s s; killing it",
                            pid, timeout)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                while self._alive(pid):
                    time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        self._proc = None
        return stopped

    def _alive(self, pgid: int) -> bool:
        if self._proc is not None and self._proc.pid == pgid:
            self._proc.poll()  # reap our child so it does not linger as a zombie
        return bool(_group_members(pgid))

    def wipe(self) -> None:
        """Stop the node and delete its data, logs and config (for tests)."""
        self.stop()
        for name in ("data", "logs", "config", "tmp"):
            shutil.rmtree(self.node_dir / name, ignore_errors=True)
        if as_root():
            shutil.rmtree(self.node_dir, ignore_errors=True)
            link = self.settings.es_dir / "data"
            if link.is_symlink():
                link.unlink()


# --- for callers ---------------------------------------------------------------------

@contextlib.contextmanager
def running(settings):
    """Yield the Elasticsearch URL, starting the local node if needed.

    The node is stopped on exit only if this call started it, also on errors,
    KeyboardInterrupt and SIGTERM to this process.
    """
    if not settings.local_es:
        yield settings.es_url
        return
    node = LocalNode(settings)
    if node.is_running():
        yield node.url
        return
    previous = {}
    stopping = []

    def on_signal(signum, frame):
        if not stopping:  # a second SIGTERM must not interrupt stop() itself
            raise SystemExit(128 + signum)  # unwinds into the finally below

    try:
        with contextlib.suppress(ValueError):  # signal handlers only in the main thread
            previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, on_signal)
        yield node.start()
    finally:
        stopping.append(True)
        try:
            node.stop()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def cli(settings, action: str) -> int:
    """``shelfmap es start|stop|status``; prints for people and returns the exit code."""
    try:
        if action == "status":
            if not settings.local_es:
                print(f"external cluster configured at {settings.es_endpoint}; "
                      f"no local node is used")
                return 0
            state = LocalNode(settings).status()
            if state["running"]:
                print(f"Elasticsearch {state['version']} running at {state['url']} "
                      f"(pid {state['pid']}, health {state['health']}, data {state['data']})")
                return 0
            print(f"Elasticsearch is not running (would listen at {state['url']})")
            return 1
        node = LocalNode(settings)
        if action == "start":
            print(node.start())
            return 0
        if action == "stop":
            print("stopped" if node.stop() else "Elasticsearch was not running")
            return 0
        raise LocalNodeError(f"unknown action {action!r}; use start, stop or status")
    except LocalNodeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
