"""The one settings table of shelfmap.

Every setting is declared once below with its type, default and help text. Values
come from, in rising order of precedence: the defaults, an optional TOML file (named by
``SHELFMAP_CONFIG``), and ``SHELFMAP_*`` environment variables. Only the edges (the
CLI, job entry points, the app factory) call :func:`load`; everything else receives the
resulting :class:`Settings` object.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

import platformdirs

ENV_PREFIX = "SHELFMAP_"


class SettingsError(ValueError):
    """A setting has a value shelfmap cannot use; the message says how to fix it."""


@dataclasses.dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: object
    help: str
    secret: bool = False

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()


def _default_home() -> str:
    return str(Path(platformdirs.user_data_dir("shelfmap")))


SETTINGS: tuple[Setting, ...] = (
    Setting("home", str, None, "Where the catalogue, graph, reports and the local "
            "Elasticsearch node live (default: the user's data directory)."),
    Setting("cache", str, None, "Where downloaded distributions are kept (default: the "
            "user's cache directory)."),
    Setting("config", str, None, "A TOML file with settings (keys as below, lower case)."),
    Setting("es_url", str, None, "URL of an external Elasticsearch cluster. When unset, "
            "shelfmap runs its own single node on 127.0.0.1."),
    Setting("es_api_key", str, None, "API key for the external cluster.", secret=True),
    Setting("es_user", str, None, "User name for the external cluster (with es_password)."),
    Setting("es_password", str, None, "Password for the external cluster.", secret=True),
    Setting("es_ca", str, None, "CA certificate (PEM file) to verify the cluster's TLS."),
    Setting("es_version", str, "9.2.4", "Version of the local Elasticsearch distribution."),
    Setting("es_port", int, 9200, "HTTP port of the local Elasticsearch node."),
    Setting("es_heap", str, "1g", "Heap size of the local Elasticsearch node."),
    Setting("es_java_home", str, None, "JDK that runs the local node (Elasticsearch 9 "
            "needs Java 21+). Default: the newest JDK found under /usr/lib/jvm."),
    Setting("es_user_name", str, "shelfmap-es", "Unprivileged system user that runs the "
            "local node when shelfmap itself runs as root."),
    Setting("es_korean", bool, True, "Build shelfmap's Korean analysis plugin "
            "(index/plugin, with Maven) and install it into the local node; off, the node "
            "runs bare and Korean text falls back to the standard tokenizer."),
    Setting("index", str, "shelfmap", "Name of the alias that the app searches."),
    Setting("spark_master", str, "local[*]", "Spark master URL (local[*], spark://..., "
            "yarn, k8s://...)."),
    Setting("spark_driver_memory", str, "2g", "Memory of the Spark driver."),
    Setting("split_size", int, 32 * 1024 * 1024, "Bytes of a MARC file read by one "
            "Spark task."),
    Setting("bulk_chunk", int, 500, "Documents per bulk request."),
    Setting("bulk_retries", int, 8, "Retries of a bulk request the cluster pushes back on "
            "(429, 503), with exponential backoff. A cluster that does not answer at all "
            "gets a short budget of its own: a build stops within a minute of losing it."),
    Setting("index_keep", int, 2, "Index versions kept behind the alias (at least 2, so a "
            "rollback has somewhere to go); older ones are deleted after a build."),
    Setting("index_replicas", int, 0, "Replicas of each index once built (0 on a single "
            "node; a build always writes without replicas and adds them at the end)."),
    Setting("index_merge_segments", int, 1, "Segments a new index is merged down to "
            "before the alias moves to it (0: left as written). One segment answers "
            "searches and facets fastest; the merge briefly needs the index's size again "
            "in free disk."),
    Setting("index_update_max_fraction", float, 0.2, "`shelfmap ingest` applies its "
            "changes to the live index when they touch at most this fraction of it; "
            "larger loads ask for a full `shelfmap index`."),
    Setting("graph_min_support", int, 3, "Records a heading, author or class needs to "
            "become a node of the topic graph, and records two nodes must share to be "
            "linked."),
    Setting("graph_top_k", int, 10, "Strongest links kept per node of the topic graph."),
    Setting("graph_seed", int, 42, "Seed of the topic graph's communities and layout (the "
            "same seed and catalogue give the same map)."),
    Setting("graph_keep", int, 2, "Complete topic graph versions kept (the newest is "
            "current); the current one and the one before it are always kept."),
    Setting("host", str, "127.0.0.1", "Address the app listens on."),
    Setting("port", int, 8050, "Port the app listens on."),
    Setting("workers", int, 0, "Processes serving the app (0: one per CPU core, at "
            "most 8). Each has its own Elasticsearch connections and threads."),
    Setting("threads", int, 32, "Threads per serving process. All but an eighth of them "
            "(at least 2) may wait on Elasticsearch at once, each on one connection; the "
            "rest stay free for health checks and answers from memory."),
    Setting("search_timeout", float, 5.0, "Seconds a visitor's request waits for "
            "Elasticsearch before it is answered 503 (a timeout is never retried)."),
    Setting("log_queries", bool, False, "Write visitors' queries and addresses to the "
            "log (off: the app keeps nothing that identifies a visitor)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


_NUMBERS = {int: "a whole number", float: "a number"}


def _coerce(setting: Setting, value: object, origin: str) -> object:
    if value is None:
        return None
    if setting.type is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
        raise SettingsError(f"{origin}: {setting.name} must be true or false, not {value!r}")
    if setting.type in _NUMBERS:
        try:
            return setting.type(value)
        except (TypeError, ValueError):
            raise SettingsError(f"{origin}: {setting.name} must be "
                                f"{_NUMBERS[setting.type]}, not {value!r}") from None
    return str(value)


class _SettingsMethods:
    """What every :class:`Settings` offers beside its values (declared in SETTINGS)."""

    __slots__ = ()

    # Folders under home; derived, never configured separately.
    @property
    def home_path(self) -> Path:
        return Path(self.home)

    @property
    def catalogue_dir(self) -> Path:
        return self.home_path / "catalogue"

    @property
    def quarantine_dir(self) -> Path:
        return self.home_path / "quarantine"

    @property
    def reports_dir(self) -> Path:
        return self.home_path / "reports"

    @property
    def changes_dir(self) -> Path:
        return self.home_path / "changes"

    @property
    def graph_dir(self) -> Path:
        return self.home_path / "graph"

    @property
    def cache_path(self) -> Path:
        return Path(self.cache)

    @property
    def es_dir(self) -> Path:
        return self.home_path / "elasticsearch"

    @property
    def local_es(self) -> bool:
        """True when shelfmap runs its own node rather than using a configured URL."""
        return not self.es_url

    @property
    def es_endpoint(self) -> str:
        return self.es_url or f"http://127.0.0.1:{self.es_port}"

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)

    def public(self) -> dict:
        """The settings as a dict with secrets masked, safe to print or log."""
        out = {}
        for s in SETTINGS:
            value = getattr(self, s.name)
            out[s.name] = "***" if (s.secret and value) else value
        return out

    def as_dict(self) -> dict:
        """All values, secrets included: for passing to Spark executors, never to logs."""
        return dataclasses.asdict(self)

    def __repr__(self) -> str:  # secrets never reach a log through repr()
        return f"Settings({self.public()!r})"


# The settings object's fields are the table's rows, in its order, with its defaults:
# declared once (SETTINGS), never repeated here.
Settings = dataclasses.make_dataclass(
    "Settings",
    [(s.name, s.type | None, dataclasses.field(default=s.default)) for s in SETTINGS],
    bases=(_SettingsMethods,), frozen=True, repr=False)
Settings.__module__ = __name__  # for pickle: make_dataclass names another module
Settings.__doc__ = "The values of every setting in SETTINGS, plus the folders derived from them."


def load(environ: Mapping[str, str] | None = None, **overrides) -> Settings:
    """Build the settings from defaults, the TOML file, the environment and overrides.

    ``overrides`` (from command-line flags) win over everything; ``None`` means unset.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {s.name: s.default for s in SETTINGS}

    config = overrides.get("config") or environ.get(_BY_NAME["config"].env)
    if config:
        path = Path(config).expanduser()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError(f"the settings file {path} does not exist "
                                f"(set {_BY_NAME['config'].env} to an existing TOML file)") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path} is not valid TOML: {exc}") from None
        unknown = sorted(set(data) - set(_BY_NAME))
        if unknown:
            raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}; "
                                f"known: {', '.join(_BY_NAME)}")
        for key, value in data.items():
            values[key] = _coerce(_BY_NAME[key], value, str(path))
        values["config"] = str(path)

    for s in SETTINGS:
        if s.env in environ and environ[s.env] != "":
            values[s.name] = _coerce(s, environ[s.env], s.env)

    for key, value in overrides.items():
        if key not in _BY_NAME:
            raise SettingsError(f"unknown setting {key!r}")
        if value is not None:
            values[key] = _coerce(_BY_NAME[key], value, f"--{key.replace('_', '-')}")

    if not values["home"]:
        values["home"] = _default_home()
    values["home"] = str(Path(str(values["home"])).expanduser().resolve())
    if not values["cache"]:
        values["cache"] = platformdirs.user_cache_dir("shelfmap")
    values["cache"] = str(Path(str(values["cache"])).expanduser().resolve())
    settings = Settings(**values)
    validate(settings)
    return settings


def validate(settings: Settings) -> None:
    if settings.es_url and not settings.es_url.startswith(("http://", "https://")):
        raise SettingsError(f"SHELFMAP_ES_URL must start with http:// or https://, "
                            f"not {settings.es_url!r}")
    if bool(settings.es_user) != bool(settings.es_password):
        raise SettingsError("set both SHELFMAP_ES_USER and SHELFMAP_ES_PASSWORD, or neither")
    if settings.es_api_key and settings.es_user:
        raise SettingsError("set SHELFMAP_ES_API_KEY or SHELFMAP_ES_USER + "
                            "SHELFMAP_ES_PASSWORD, not both")
    if (settings.es_api_key or settings.es_user) and not settings.es_url:
        raise SettingsError("credentials are set but SHELFMAP_ES_URL is not: the local node "
                            "runs without security; set SHELFMAP_ES_URL to the cluster")
    if settings.es_ca and not Path(settings.es_ca).is_file():
        raise SettingsError(f"SHELFMAP_ES_CA names {settings.es_ca}, which is not a file")
    for name in ("es_port", "port"):
        value = getattr(settings, name)
        if not 0 < value < 65536:
            raise SettingsError(f"{_BY_NAME[name].env} must be a TCP port, not {value}")
    if settings.graph_min_support < 1:
        raise SettingsError("SHELFMAP_GRAPH_MIN_SUPPORT must be at least 1")
    if settings.graph_top_k < 1:
        raise SettingsError("SHELFMAP_GRAPH_TOP_K must be at least 1")
    if settings.graph_keep < 1:
        raise SettingsError("SHELFMAP_GRAPH_KEEP must be at least 1")
    if not 0 <= settings.workers <= 64:
        raise SettingsError("SHELFMAP_WORKERS must be from 0 (one per core) to 64")
    if not 1 <= settings.threads <= 256:
        raise SettingsError("SHELFMAP_THREADS must be from 1 to 256")
    if not 0.1 <= settings.search_timeout <= 120:
        raise SettingsError("SHELFMAP_SEARCH_TIMEOUT must be from 0.1 to 120 seconds")
    if settings.split_size < 64 * 1024:
        raise SettingsError("SHELFMAP_SPLIT_SIZE must be at least 65536 bytes")
    if settings.bulk_chunk < 1:
        raise SettingsError("SHELFMAP_BULK_CHUNK must be at least 1")
    if settings.bulk_retries < 0:
        raise SettingsError("SHELFMAP_BULK_RETRIES must be 0 or more")
    if settings.index_keep < 2:
        raise SettingsError("SHELFMAP_INDEX_KEEP must be at least 2: the previous version "
                            "is what `shelfmap index --rollback` returns to")
    if settings.index_merge_segments < 0:
        raise SettingsError("SHELFMAP_INDEX_MERGE_SEGMENTS must be 0 (no merge) or more")
    if settings.index_replicas < 0:
        raise SettingsError("SHELFMAP_INDEX_REPLICAS must be 0 or more")
    if not 0 <= settings.index_update_max_fraction <= 1:
        raise SettingsError("SHELFMAP_INDEX_UPDATE_MAX_FRACTION must be between 0 and 1")
