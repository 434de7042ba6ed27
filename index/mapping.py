"""The index settings and mapping, derived from the canonical schema.

Each field of :data:`ingest.schema.RECORD` becomes the Elasticsearch field its ``search``
metadata names (``index/mappings/kinds.json``); the derived document fields come from
:data:`index.documents.DERIVED`; analysis settings come from
``index/mappings/analysis.json``. Nothing else in shelfmap writes a mapping.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources

from index.documents import DERIVED
from ingest.schema import RECORD, search_kind


class UnknownSearchKind(ValueError):
    """A schema field names a search kind index/mappings/kinds.json does not define."""


@cache
def _load(name: str) -> dict:
    text = resources.files("index").joinpath("mappings", name).read_text(encoding="utf-8")
    data = json.loads(text)
    data.pop("_comment", None)
    return data


def analysis() -> dict:
    """The default analysis settings (bare-server analyzers)."""
    return copy.deepcopy(_load("analysis.json")["analysis"])


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def field_mapping(name: str) -> dict:
    """The mapping of one schema field, from its search kind plus per-field extras."""
    data = _load("kinds.json")
    kind = search_kind(name)
    if kind not in data["kinds"]:
        raise UnknownSearchKind(f"schema field {name!r} has search kind {kind!r}; "
                                f"define it in index/mappings/kinds.json "
                                f"(known: {', '.join(data['kinds'])})")
    return _merge(data["kinds"][kind], data.get("fields", {}).get(name, {}))


def properties() -> dict:
    """Field mappings: every schema field, then every derived document field."""
    props = {name: field_mapping(name) for name in RECORD.names}
    for name, mapping in DERIVED.items():
        if name in props:
            raise ValueError(f"derived field {name!r} clashes with a schema field")
        props[name] = copy.deepcopy(mapping)
    return props


def index_body(shards: int = 1, replicas: int = 0, analysis_settings: dict | None = None) -> dict:
    """The body of a create-index request.

    ``analysis_settings`` replaces the bare-server analysis (a cluster with plugins can
    supply richer definitions of the same analyzer names).
    """
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            "analysis": analysis_settings if analysis_settings is not None else analysis(),
        },
        "mappings": {"dynamic": "strict", "properties": properties()},
    }
