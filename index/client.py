"""An Elasticsearch client built from settings: URL, API key or basic auth, CA file.

Secrets go into the client and nowhere else: errors raised here name the URL only.
"""

from __future__ import annotations

from collections.abc import Mapping

from elasticsearch import Elasticsearch


class ClusterUnavailable(RuntimeError):
    """No Elasticsearch answers at the configured URL."""


def _get(settings, name):
    return settings.get(name) if isinstance(settings, Mapping) else getattr(settings, name)


def connect(settings, *, timeout: float = 30.0, retries: int = 3) -> Elasticsearch:
    """A client for the configured cluster (or the local node).

    ``settings`` is a :class:`settings.Settings` or its ``as_dict()`` (what Spark
    executors receive).
    """
    url = _get(settings, "es_url") or f"http://127.0.0.1:{_get(settings, 'es_port')}"
    options: dict = {"request_timeout": timeout, "max_retries": retries,
                     "retry_on_timeout": True}
    if _get(settings, "es_api_key"):
        options["api_key"] = _get(settings, "es_api_key")
    elif _get(settings, "es_user"):
        options["basic_auth"] = (_get(settings, "es_user"), _get(settings, "es_password"))
    if _get(settings, "es_ca"):
        options["ca_certs"] = _get(settings, "es_ca")
    return Elasticsearch(url, **options)


def endpoint(settings) -> str:
    """The URL without credentials, safe to show."""
    return _get(settings, "es_url") or f"http://127.0.0.1:{_get(settings, 'es_port')}"
