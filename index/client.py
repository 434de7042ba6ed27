"""An Elasticsearch client built from settings: URL, API key or basic auth, CA file.

Secrets go into the client and nowhere else: the URL shown to people (:func:`endpoint`)
has any ``user:password@`` removed, and :func:`describe_error` turns a client exception
into one line that names the URL and the failure, never a header or a credential.
"""

from __future__ import annotations

import copy
import logging
import sys
import threading
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit, urlunsplit

from elasticsearch import Elasticsearch
from elasticsearch.serializer import OrjsonSerializer


class ClusterUnavailable(RuntimeError):
    """No Elasticsearch answers at the configured URL."""


# The client's transport warns on every retry (with the exception's whole traceback) and
# on every node it marks dead: against a node that was killed, hundreds of lines on the
# terminal (issue 10). Whoever gives up says so in one line; these are for `shelfmap -v`,
# in the driver and in the executors alike.
TRANSPORT_LOGGERS = ("elastic_transport.transport", "elastic_transport.node_pool",
                     "elastic_transport.node")


class _AsDebug(logging.Filter):
    """Lowers the records of the logger it is on to DEBUG (a logger's filters run before
    any handler sees the record, the last-resort one included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def transport_warnings_as_debug(*, show: bool = False) -> None:
    """Log the transport's warnings at DEBUG from now on, in this process (idempotent).
    ``show``: also print them on stderr here (for executors of a ``shelfmap -v`` run,
    which have no logging set up of their own)."""
    for name in TRANSPORT_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _AsDebug) for f in logger.filters):
            logger.addFilter(_AsDebug())
    top = logging.getLogger("elastic_transport")
    if show and not any(getattr(h, "shelfmap", False) for h in top.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.shelfmap = True
        handler.setFormatter(logging.Formatter("%(asctime)s executor %(name)s: %(message)s",
                                               "%H:%M:%S"))
        top.addHandler(handler)


def _get(settings, name):
    return settings.get(name) if isinstance(settings, Mapping) else getattr(settings, name)


def _split_userinfo(url: str) -> tuple[str, tuple[str, str] | None]:
    """``https://u:p@host:9200`` -> (``https://host:9200``, (u, p)); credentials written
    into the URL would otherwise travel into the client's node list and its errors."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return bare, (unquote(parts.username), unquote(parts.password or ""))


def connect(settings, *, timeout: float = 30.0, retries: int = 3,
            connections: int = 10, retry_on_timeout: bool = True,
            transport_class=None) -> Elasticsearch:
    """A client for the configured cluster (or the local node).

    ``settings`` is a :class:`settings.Settings` or its ``as_dict()`` (what Spark
    executors receive). An API key wins over a user and password (settings.validate
    refuses both at once); a CA file, when given, is the only trust anchor for TLS.
    ``connections`` bounds the open connections to each node: a thread that finds them
    all busy waits for one.
    """
    url, url_auth = _split_userinfo(_get(settings, "es_url")
                                    or f"http://127.0.0.1:{_get(settings, 'es_port')}")
    # orjson both ways: a search answer is parsed in a fifth of the standard library's time.
    options: dict = {"serializer": OrjsonSerializer(), "request_timeout": timeout,
                     "max_retries": retries, "retry_on_timeout": retry_on_timeout,
                     "connections_per_node": connections}
    if transport_class is not None:
        options["transport_class"] = transport_class
    if _get(settings, "es_api_key"):
        options["api_key"] = _get(settings, "es_api_key")
    elif _get(settings, "es_user"):
        options["basic_auth"] = (_get(settings, "es_user"), _get(settings, "es_password"))
    elif url_auth:
        options["basic_auth"] = url_auth
    if _get(settings, "es_ca"):
        options["ca_certs"] = _get(settings, "es_ca")
        options["verify_certs"] = True
    return Elasticsearch(url, **options)


# The breaker's rules (index/breaker.py): open after this many cluster failures in a
# row; while open, ping every PROBE_INTERVAL seconds, each ping waiting PROBE_TIMEOUT.
BREAKER_FAILURES = 3
PROBE_INTERVAL = 2.0
PROBE_TIMEOUT = 1.0


def interactive_slots(threads: int) -> int:
    """Requests one serving process lets wait on the cluster at once: a few fewer than
    its threads, which are left for health checks and answers from memory."""
    return max(1, threads - max(2, threads // 8))


def _own_copy(response):
    """A transport answer with a body of its own (index.coalesce hands one to each
    caller that shared a request)."""
    return response._replace(body=copy.deepcopy(response.body))


def connect_interactive(settings, threads: int) -> tuple[Elasticsearch, Elasticsearch]:
    """The clients of one serving process: (searches, health checks).

    Searches wait at most ``settings.search_timeout`` seconds and never retry a timeout
    (a connection refused is retried once, on the next node when there are several);
    at most :func:`interactive_slots` of them wait at once, and identical ones in flight
    together are sent once (index/coalesce.py). Health checks have their
    own connections (index.health answers them from a snapshot it refreshes in the
    background), so they never queue behind searches; both share one circuit breaker,
    so a failing cluster is seen by both at once.
    """
    from index.breaker import CircuitBreaker, GuardedTransport
    from index.coalesce import InFlight

    search_es = connect(settings, timeout=settings.search_timeout, retries=1,
                        connections=threads, retry_on_timeout=False,
                        transport_class=GuardedTransport)
    health_es = connect(settings, timeout=settings.search_timeout, retries=0, connections=2,
                        retry_on_timeout=False, transport_class=GuardedTransport)
    breaker = CircuitBreaker(
        failures=BREAKER_FAILURES, probe_interval=PROBE_INTERVAL,
        probe=lambda: health_es.transport.ping(PROBE_TIMEOUT))
    search_es.transport.breaker = health_es.transport.breaker = breaker
    search_es.transport.slots = threading.BoundedSemaphore(interactive_slots(threads))
    search_es.transport.in_flight = InFlight(share=_own_copy)
    return search_es, health_es


def endpoint(settings) -> str:
    """The URL without credentials, safe to show."""
    url = _get(settings, "es_url") or f"http://127.0.0.1:{_get(settings, 'es_port')}"
    return _split_userinfo(url)[0]


def describe_error(settings, exc: BaseException) -> str:
    """One line for a failed call to the cluster: the URL, the kind of failure and, for
    an answer from the cluster, its status and error type; nothing from the request."""
    from elasticsearch import ApiError, AuthenticationException, AuthorizationException
    from elasticsearch import ConnectionError as ESConnectionError
    from elasticsearch import ConnectionTimeout, SSLError, TransportError

    where = endpoint(settings)
    if isinstance(exc, AuthenticationException):
        return (f"Elasticsearch at {where} refused the credentials (401); check "
                "SHELFMAP_ES_API_KEY or SHELFMAP_ES_USER / SHELFMAP_ES_PASSWORD")
    if isinstance(exc, AuthorizationException):
        return (f"Elasticsearch at {where} denied the request (403): the API key or user "
                "lacks a privilege shelfmap needs")
    if isinstance(exc, ApiError):
        kind = ""
        if isinstance(exc.body, dict) and isinstance(exc.body.get("error"), dict):
            kind = f" {exc.body['error'].get('type')}: {exc.body['error'].get('reason')}"
        return f"Elasticsearch at {where} answered {exc.meta.status}{kind}"
    if isinstance(exc, ConnectionTimeout):
        return f"Elasticsearch at {where} did not answer in time"
    if isinstance(exc, SSLError):
        return (f"TLS with Elasticsearch at {where} failed (is its certificate signed by "
                "the CA in SHELFMAP_ES_CA? set it to the CA certificate, PEM, that signed "
                "the cluster's certificate)")
    if isinstance(exc, ESConnectionError):
        return (f"cannot reach Elasticsearch at {where}; is it running? (set "
                "SHELFMAP_ES_URL, or run `shelfmap es start` for the local node)")
    if isinstance(exc, TransportError):
        return f"Elasticsearch at {where} failed: {type(exc).__name__}"
    return f"Elasticsearch at {where} failed: {type(exc).__name__}"
