"""What a request to run a Dash callback must look like before Dash runs it.

Dash's ``/_dash-update-component`` trusts its body: an unknown output, a missing key
or a list where a dict belongs ends in a KeyError or TypeError deep inside Dash, which
Flask answers 500 with a traceback in the log. Anyone can post anything there, so the
body is checked first against the callbacks the app declared (their outputs, inputs
and state, exactly as ``/_dash-dependencies`` publishes them) and refused with a 400
naming what is wrong. Only a request Dash's own renderer could have sent reaches a
callback; what a callback then does with the values is the callback's business.
"""

from __future__ import annotations

from collections.abc import Mapping

# The JSON types each component property may carry in a callback request; a property
# not listed here may carry any JSON value.
_SCALAR = (str, int, float, bool, type(None))
PROPERTY_TYPES: dict[str, tuple[type, ...]] = {
    "n_clicks": (int, type(None)),
    "n_submit": (int, type(None)),
    "n_blur": (int, type(None)),
    "pathname": (str, type(None)),
    "search": (str, type(None)),
    "hash": (str, type(None)),
    "href": (str, type(None)),
    "value": (*_SCALAR, list),
}
MAX_ITEMS = 1000  # inputs/state/outputs of one request; Dash's own are a handful


class BadCallback(ValueError):
    """The body is not a callback request this app can run."""


def _prop_id(item: Mapping) -> str:
    return f"{item['id']}.{item['property']}"


def _check_item(where: str, given: object, declared: Mapping) -> None:
    if isinstance(declared["id"], dict):
        # A pattern-matching id (ALL/MATCH): the renderer sends a dict, or a list of
        # them for ALL; their values are checked as for any other id.
        items = given if isinstance(given, list) else [given]
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("id"), dict):
                raise BadCallback(f"{where}: expected the pattern {declared['id']}")
            _check_value(where, item, declared["property"])
        return
    if not isinstance(given, dict):
        raise BadCallback(f"{where}: must be an object with id, property and value")
    if given.get("id") != declared["id"] or given.get("property") != declared["property"]:
        raise BadCallback(f"{where}: expected {_prop_id(declared)}")
    _check_value(where, given, declared["property"])


def _check_value(where: str, item: Mapping, prop: str) -> None:
    if item.get("property") != prop:
        raise BadCallback(f"{where}: expected the property {prop}")
    allowed = PROPERTY_TYPES.get(prop)
    value = item.get("value")
    if allowed is not None and not isinstance(value, allowed):
        raise BadCallback(f"{where}: {prop} cannot be {type(value).__name__}")
    if prop == "pathname" and not (isinstance(value, str) and value.startswith("/")):
        # What a browser's location.pathname always is; Dash Pages' router fails on
        # anything else.
        raise BadCallback(f"{where}: pathname must be a path starting with /")
    if isinstance(value, list) and not all(isinstance(v, _SCALAR) for v in value):
        raise BadCallback(f"{where}: {prop} must be a list of plain values")


def _check_outputs(outputs: object) -> None:
    items = outputs if isinstance(outputs, list) else [outputs]
    if len(items) > MAX_ITEMS:
        raise BadCallback("outputs: too many")
    for item in items:
        if not (isinstance(item, dict) and isinstance(item.get("id"), (str, dict))
                and isinstance(item.get("property"), str)):
            raise BadCallback("outputs: each must be an object with id and property")


def check(body: object, callbacks: Mapping[str, Mapping]) -> None:
    """Raise :class:`BadCallback` unless ``body`` is a request to run one of
    ``callbacks`` (the app's ``callback_map``) with the inputs and state it declared.

    >>> check({"output": "x.children"}, {})
    Traceback (most recent call last):
    ...
    viz.callback_requests.BadCallback: output: no callback updates 'x.children'
    """
    if not isinstance(body, dict):
        raise BadCallback("the body must be a JSON object")
    output = body.get("output")
    if not isinstance(output, str):
        raise BadCallback("output: missing")
    declared = callbacks.get(output)
    # Clientside callbacks are in the map too, but have no function to run here.
    if declared is None or "callback" not in declared:
        raise BadCallback(f"output: no callback updates {output[:200]!r}")
    if "outputs" in body:
        _check_outputs(body["outputs"])
    for key in ("inputs", "state"):
        given = body.get(key, [])
        expected = declared.get(key) or []
        if not isinstance(given, list) or len(given) != len(expected):
            raise BadCallback(f"{key}: expected {len(expected)} item(s)")
        for i, (item, spec) in enumerate(zip(given, expected)):
            _check_item(f"{key}[{i}]", item, spec)
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(p, str) for p in changed):
        raise BadCallback("changedPropIds: must be a list of property ids")
