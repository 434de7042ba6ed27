"""The local Elasticsearch launcher against the real distribution (three node starts).

The tests share one SHELFMAP_HOME under pytest's tmp_path (mode 0700, which the node's
user cannot enter when the tests run as root) and run in file order.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

import settings as settings_module
from index.es_dist import JavaNotFound, find_java
from index.local_node import ExternalClusterConfigured, LocalNode, PortInUse, cli, running

pytestmark = pytest.mark.es

ROOT = Path(__file__).resolve().parents[1]


def _free_port(preferred: int = 9277) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port")


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _node_processes(node: LocalNode) -> list[str]:
    """Command lines of every live process that belongs to this node's folder."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(node.node_dir) in cmdline and "org.elasticsearch" in cmdline:
            found.append(f"{entry.name}: {cmdline[:200]}")
    return found


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    loaded = settings_module.load(environ={}, home=str(home), es_port=_free_port())
    yield loaded
    LocalNode(loaded).wipe()


@pytest.fixture(scope="module")
def node(settings):
    return LocalNode(settings)


def test_start_answers_is_idempotent_and_stop_leaves_no_process(node, settings, capsys):
    url = node.start()
    assert url == f"http://127.0.0.1:{settings.es_port}"
    health = _get(url + "/_cluster/health")
    assert health["status"] in ("yellow", "green")
    assert health["cluster_name"] == node.cluster_name
    versions = _get(url + "/_nodes/_local?filter_path=nodes.*.version")
    assert [n["version"] for n in versions["nodes"].values()] == ["9.2.4"]
    pid = node.status()["pid"]
    assert node.status() == {"running": True, "pid": pid, "url": url,
                             "health": health["status"], "version": "9.2.4",
                             "data": str(node.node_dir / "data")}

    started = time.monotonic()
    assert node.start() == url  # already up: no second JVM
    assert time.monotonic() - started < 5
    assert node.status()["pid"] == pid
    assert len(_node_processes(node)) == 2  # the CLI launcher and the server JVM

    # Another LocalNode (as in a second `shelfmap es` process) sees the same node.
    assert cli(settings, "status") == 0
    assert "running at " + url in capsys.readouterr().out

    assert node.stop() is True
    assert _node_processes(node) == []
    assert not node.pid_file.exists()
    assert not node.is_running()
    assert cli(settings, "status") == 1
    assert node.stop() is False


def test_start_refuses_a_port_taken_by_something_else(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        other = settings.replace(es_port=sock.getsockname()[1])
        with pytest.raises(PortInUse, match="SHELFMAP_ES_PORT"):
            LocalNode(other).start()


def test_running_stops_what_it_started_even_when_the_body_raises(node, settings):
    with pytest.raises(ZeroDivisionError):
        with running(settings) as url:
            assert _get(url + "/_cluster/health")["cluster_name"] == node.cluster_name
            with running(settings) as inner:  # already up: must not stop it on exit
                assert inner == url
            assert node.is_running()
            1 / 0
    assert _node_processes(node) == []
    assert not node.is_running()


def test_sigterm_to_python_stops_the_node_running_started(node, settings):
    script = textwrap.dedent(f"""
        import time, settings
        from index.local_node import running
        s = settings.load(environ={{}}, home={settings.home!r}, es_port={settings.es_port})
        with running(s) as url:
            print(url, flush=True)
            time.sleep(300)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, text=True,
                             stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline().strip() == node.url
        assert node.is_running()
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert _node_processes(node) == []


def test_an_external_url_starts_nothing(settings):
    external = settings.replace(es_url="http://search.example.org:9200",
                                home=settings.home + "-external")
    with running(external) as url:
        assert url == "http://search.example.org:9200"
    assert not Path(external.home).exists()
    with pytest.raises(ExternalClusterConfigured, match="SHELFMAP_ES_URL"):
        LocalNode(external).start()


def _jdk(root: Path, name: str, version: str) -> Path:
    jdk = root / name
    (jdk / "bin").mkdir(parents=True)
    (jdk / "bin" / "java").touch()
    (jdk / "release").write_text(f'IMPLEMENTOR="test"\nJAVA_VERSION="{version}"\n')
    return jdk


def test_find_java_takes_the_newest_jdk_new_enough(tmp_path, settings):
    _jdk(tmp_path, "java-17", "17.0.15")
    _jdk(tmp_path, "jdk-21", "21.0.4")
    newest = _jdk(tmp_path, "jdk-25", "25.0.3")
    assert find_java(settings, jvm_root=tmp_path, environ={}) == newest


def test_find_java_names_what_it_found_when_nothing_fits(tmp_path, settings):
    old = _jdk(tmp_path, "java-17", "17.0.15")
    with pytest.raises(JavaNotFound, match=f"{old} \\(Java 17\\).*SHELFMAP_ES_JAVA_HOME"):
        find_java(settings, jvm_root=tmp_path, environ={})
    with pytest.raises(JavaNotFound, match="is Java 17"):
        find_java(settings.replace(es_java_home=str(old)), jvm_root=tmp_path)
    newer = _jdk(tmp_path / "elsewhere", "jdk", "21.0.1")
    assert find_java(settings, jvm_root=tmp_path, environ={"JAVA_HOME": str(newer)}) == newer
