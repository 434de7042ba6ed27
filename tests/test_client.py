"""External clusters: API key or user + password and a CA certificate, from settings,
into the client; and the secrets stay out of repr(), errors and the CLI's output.

The certificates are real (made with openssl for each test); one test runs a real TLS
server signed by that CA so the client's verification and its Authorization header are
exercised end to end, not only inspected.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import settings as settings_module
from index.client import connect, describe_error, endpoint

API_KEY = "c2hlbGZtYXAtdGVzdDpzM2NyM3QtYXBpLWtleQ=="   # base64 "shelfmap-test:s3cr3t-api-key"
PASSWORD = "pa55-w0rd-never-shown"
CLI = Path(sys.executable).with_name("shelfmap")


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> dict[str, Path]:
    """A CA, a server certificate for 127.0.0.1 signed by it, and an unrelated CA."""
    d = tmp_path_factory.mktemp("pki")
    for ca in ("ca", "other-ca"):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key",
                 "-out", f"{ca}.pem", "-days", "2", "-subj", f"/CN=shelfmap {ca}", cwd=d)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out",
             "server.csr", "-subj", "/CN=127.0.0.1", cwd=d)
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext",
             cwd=d)
    return {"ca": d / "ca.pem", "other_ca": d / "other-ca.pem", "cert": d / "server.pem",
            "key": d / "server.key"}


def _load(tmp_path, **env) -> settings_module.Settings:
    environ = {f"SHELFMAP_{k.upper()}": str(v) for k, v in env.items()}
    return settings_module.load(environ=environ, home=str(tmp_path / "home"))


def _node(es):
    (node,) = es.transport.node_pool.all()
    return node.config


def test_api_key_and_ca_reach_the_client(pki, tmp_path):
    s = _load(tmp_path, es_url="https://search.library.example:9243", es_api_key=API_KEY,
              es_ca=pki["ca"])
    es = connect(s)
    config = _node(es)
    assert (config.scheme, config.host, config.port) == ("https", "search.library.example", 9243)
    assert config.verify_certs is True
    assert config.ca_certs == str(pki["ca"])
    assert es._headers["authorization"] == f"ApiKey {API_KEY}"
    assert API_KEY not in repr(s) and API_KEY not in json.dumps(s.public())


def test_user_and_password_reach_the_client(pki, tmp_path):
    s = _load(tmp_path, es_url="https://search.library.example:9243", es_user="librarian",
              es_password=PASSWORD, es_ca=pki["ca"])
    es = connect(s)
    expected = base64.b64encode(f"librarian:{PASSWORD}".encode()).decode()
    assert es._headers["authorization"] == f"Basic {expected}"
    assert _node(es).ca_certs == str(pki["ca"])
    assert PASSWORD not in repr(s)
    assert s.public()["es_password"] == "***" and s.public()["es_user"] == "librarian"


def test_credentials_written_into_the_url_are_moved_to_the_header(tmp_path):
    s = _load(tmp_path, es_url=f"https://librarian:{PASSWORD}@search.library.example:9243")
    es = connect(s)
    assert _node(es).host == "search.library.example"
    assert es._headers["authorization"].startswith("Basic ")
    assert endpoint(s) == "https://search.library.example:9243"


@pytest.mark.parametrize("env, message", [
    ({"es_api_key": API_KEY, "es_user": "a", "es_password": "b",
      "es_url": "https://h:9200"}, "not both"),
    ({"es_user": "librarian"}, "SHELFMAP_ES_PASSWORD"),
    ({"es_api_key": API_KEY}, "SHELFMAP_ES_URL is not"),
    ({"es_ca": "/no/such/ca.pem", "es_url": "https://h:9200"}, "not a file"),
])
def test_bad_combinations_are_refused_without_echoing_secrets(tmp_path, env, message):
    with pytest.raises(settings_module.SettingsError, match=message) as caught:
        _load(tmp_path, **env)
    assert API_KEY not in str(caught.value)


class _FakeES(http.server.BaseHTTPRequestHandler):
    """Answers like Elasticsearch does to a count (status, product header, JSON)."""

    seen: list[str | None] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        self.seen.append(self.headers.get("Authorization"))
        body = json.dumps({"count": 42, "_shards": {"total": 1, "successful": 1,
                                                    "skipped": 0, "failed": 0}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture()
def tls_server(pki):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeES)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["cert"], pki["key"])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeES.seen = []
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_tls_with_the_configured_ca_and_the_api_key(pki, tmp_path, tls_server):
    s = _load(tmp_path, es_url=tls_server, es_api_key=API_KEY, es_ca=pki["ca"])
    assert connect(s, retries=0).count(index="anything")["count"] == 42
    assert _FakeES.seen == [f"ApiKey {API_KEY}"]

    # Signed by a CA the settings do not name: refused before any request is sent.
    untrusted = _load(tmp_path, es_url=tls_server, es_api_key=API_KEY,
                      es_ca=pki["other_ca"])
    with pytest.raises(Exception) as caught:
        connect(untrusted, retries=0).count(index="anything")
    assert _FakeES.seen == [f"ApiKey {API_KEY}"]
    said = describe_error(untrusted, caught.value)
    assert "SHELFMAP_ES_CA" in said and API_KEY not in said


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("secrets", [
    {"SHELFMAP_ES_API_KEY": API_KEY},
    {"SHELFMAP_ES_USER": "librarian", "SHELFMAP_ES_PASSWORD": PASSWORD},
])
@pytest.mark.parametrize("argv", [["index", "--rollback"], ["-v", "index", "--update"],
                                  ["status"]])
def test_cli_on_an_unreachable_cluster_names_the_url_not_the_secret(pki, tmp_path, secrets,
                                                                    argv):
    url = f"https://127.0.0.1:{_free_port()}"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "SHELFMAP_HOME": str(tmp_path / "home"), "SHELFMAP_ES_URL": url,
           "SHELFMAP_ES_CA": str(pki["ca"]), **secrets}
    done = subprocess.run([str(CLI), *argv], env=env, capture_output=True, text=True,
                          timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    for secret in secrets.values():
        if secret != "librarian":
            assert secret not in output
    assert base64.b64encode(f"librarian:{PASSWORD}".encode()).decode() not in output
    if argv[-1] != "status":
        last = done.stderr.strip().splitlines()[-1]
        assert last == (f"error: cannot reach Elasticsearch at {url}; is it running? (set "
                        "SHELFMAP_ES_URL, or run `shelfmap es start` for the local node)")
