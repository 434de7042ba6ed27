"""A Dash component tree as HTML: the server-drawn first paint of every page.

Each page's ``layout(**params)`` returns Dash components; :func:`render` writes the
same tree as the HTML the browser shows before (or without) Dash's scripts, so no page
is written twice. What React would render from a component is written here: a
``dash.html`` component by its tag, ``dcc.Link`` as ``<a href>``, ``dcc.Input`` as
``<input>``, ``dcc.Location`` and ``dcc.Store`` as nothing (they draw nothing), and
shelfmap's own ``MapSvg`` as a ``<div>`` holding the SVG that ``viz/svg.py`` built (and
escaped). A component this module does not know is an error, never silently dropped:
a page must not lose content on its way to the first paint.

Every text and attribute value is escaped here; the only markup passed through is
MapSvg's, which its builder escapes.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from collections.abc import Iterator

from dash.development.base_component import Component

HTML_NS = "dash_html_components"
DCC_NS = "dash_core_components"
SHELFMAP_NS = "shelfmap"

# dash.html's names for the tags that are Python or JavaScript words.
TAGS = {"ObjectEl": "object", "MapEl": "map"}
# Elements without an end tag (the HTML standard's void elements).
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                  "meta", "source", "track", "wbr"})
# React prop names whose HTML attribute is not simply the lower-cased name.
ATTRIBUTE_NAMES = {"className": "class", "htmlFor": "for", "acceptCharset": "accept-charset",
                   "httpEquiv": "http-equiv"}
# Attributes whose value is the text "true"/"false", not present/absent (React writes
# these booleans as text too).
ENUMERATED = frozenset({"draggable", "spellcheck", "contenteditable"})
# Props Dash keeps for itself: counters, loading state, React's key.
DASH_ONLY = frozenset({"n_clicks", "n_clicks_timestamp", "disable_n_clicks", "loading_state",
                       "key", "setProps", "children"})
# dcc.Input's props that are attributes of <input>; the rest (debounce, n_submit,
# persistence, selection...) live only in the browser's Dash.
INPUT_ATTRIBUTES = ("id", "type", "name", "value", "placeholder", "autoComplete",
                    "inputMode", "readOnly", "required", "autoFocus", "disabled", "list",
                    "multiple", "spellCheck", "min", "max", "step", "minLength",
                    "maxLength", "pattern", "size")
LINK_ATTRIBUTES = ("id", "href", "target", "title", "className", "style")
# Components that draw nothing: they hold state for Dash's client.
INVISIBLE = frozenset({(DCC_NS, "Location"), (DCC_NS, "Store")})
# CSS properties React writes without "px" when given a number.
UNITLESS = frozenset({"flex", "flex-grow", "flex-shrink", "font-weight", "line-height",
                      "opacity", "order", "z-index", "zoom", "column-count", "fill-opacity",
                      "stroke-opacity", "stroke-width", "grid-row", "grid-column",
                      "tab-size", "orphans", "widows"})
_CAMEL = re.compile(r"(?<!^)([A-Z])")


class UnknownComponent(TypeError):
    """A component the first paint cannot draw: add it here rather than lose it."""


def render(component) -> str:
    """``component`` (a Dash component, a string, a number, a list of them, or None)
    as HTML.

    >>> from dash import dcc, html
    >>> render(html.P(["a < b ", dcc.Link("next", href="/?q=x&page=2")], className="sm"))
    '<p class="sm">a &lt; b <a href="/?q=x&amp;page=2">next</a></p>'
    """
    return "".join(_chunks(component))


def page_status(component, default: int = 200) -> int:
    """The HTTP status a page's layout asks for: the ``data-status`` of the first
    component that carries one, outermost first (a page that cannot be what was asked
    marks its root: 404 for no such record or topic, 400 for a bad parameter, 503 when
    the catalogue does not answer); ``default`` when none does."""
    for node in _walk(component):
        value = getattr(node, "data-status", None)
        if value is not None:
            try:
                status = int(value)
            except (TypeError, ValueError):
                continue
            if 100 <= status <= 599:
                return status
    return default


def _walk(component) -> Iterator[Component]:
    """Components breadth first, so the outermost ``data-status`` wins."""
    queue = [component]
    while queue:
        node = queue.pop(0)
        if isinstance(node, (list, tuple)):
            queue.extend(node)
        elif isinstance(node, Component):
            yield node
            children = getattr(node, "children", None)
            if children is not None:
                queue.append(children)


def _chunks(node) -> Iterator[str]:
    if node is None or isinstance(node, bool):
        return  # React draws neither None nor booleans
    if isinstance(node, str):
        yield htmllib.escape(node, quote=False)
    elif isinstance(node, (int, float)):
        yield htmllib.escape(str(node), quote=False)
    elif isinstance(node, (list, tuple)):
        for child in node:
            yield from _chunks(child)
    elif isinstance(node, Component):
        yield from _component(node)
    else:
        raise UnknownComponent(f"cannot render a {type(node).__name__} as HTML")


def _props(component: Component) -> dict:
    return {name: value for name, value in component.to_plotly_json()["props"].items()
            if value is not None}


def _component(component: Component) -> Iterator[str]:
    kind = (component._namespace, component._type)
    props = _props(component)
    if kind[0] == HTML_NS:
        tag = TAGS.get(component._type, component._type.lower())
        attrs = {k: v for k, v in props.items() if k not in DASH_ONLY}
        yield from _element(tag, attrs, props.get("children"))
    elif kind == (DCC_NS, "Link"):
        attrs = {k: props[k] for k in LINK_ATTRIBUTES if k in props}
        yield from _element("a", attrs, props.get("children"))
    elif kind == (DCC_NS, "Input"):
        yield from _input(props)
    elif kind in INVISIBLE:
        return
    elif kind == (SHELFMAP_NS, "MapSvg"):
        attrs = {k: props[k] for k in ("id", "className") if k in props}
        yield _start("div", attrs)
        yield str(props.get("markup") or "")  # built and escaped by viz/svg.py
        yield "</div>"
    else:
        raise UnknownComponent(f"the first paint cannot draw {kind[0]}.{kind[1]}; "
                               "teach viz/render.py what it renders as")


def _input(props: dict) -> Iterator[str]:
    """dcc.Input as Dash 4's renderer draws it: the input inside a container that
    carries its className and style (``dash-input-container``; ``dash-input-hidden``
    for a hidden one), so the page's CSS styles both drawings alike."""
    kind = props.get("type", "text")
    container = " ".join(filter(None, ("dash-input-container", props.get("className"),
                                       "dash-input-hidden" if kind == "hidden" else None)))
    outer = {"className": container, **({"style": props["style"]} if "style" in props else {})}
    attrs = {k: props[k] for k in INPUT_ATTRIBUTES if k in props}
    attrs["type"] = kind
    attrs["className"] = "dash-input-element"
    yield _start("div", outer)
    yield _start("input", attrs)
    yield "</div>"


def _element(tag: str, attrs: dict, children) -> Iterator[str]:
    yield _start(tag, attrs)
    if tag in VOID:
        return
    yield from _chunks(children)
    yield f"</{tag}>"


def _start(tag: str, attrs: dict) -> str:
    """The start tag; attributes in one fixed order (id first, then by name), so the
    same tree is always the same bytes (and the same ETag)."""
    written = sorted(filter(None, (_attribute(name, value) for name, value in attrs.items())),
                     key=lambda a: (not a.startswith("id="), a))
    return "<" + " ".join([tag, *written]) + ">"


def _attribute(name: str, value) -> str:
    if name.startswith(("data-", "aria-")):
        attr = name
        if isinstance(value, bool):
            value = "true" if value else "false"
    else:
        attr = ATTRIBUTE_NAMES.get(name, name.lower())
    if not re.fullmatch(r"[a-zA-Z_:][-a-zA-Z0-9_:.]*", attr):
        raise UnknownComponent(f"{name!r} is not an HTML attribute name")
    if attr == "style":
        value = _style(value) if isinstance(value, dict) else str(value)
        if not value:
            return ""
    elif attr == "id" and isinstance(value, dict):
        # A pattern-matching id, written as Dash's renderer writes it: sorted JSON.
        value = json.dumps(value, sort_keys=True, separators=(",", ":"))
    elif isinstance(value, bool):
        if attr in ENUMERATED:
            value = "true" if value else "false"
        elif value:
            return attr
        else:
            return ""
    elif isinstance(value, (list, tuple, dict)):
        raise UnknownComponent(f"{name!r} cannot be written as an attribute: {value!r:.80}")
    return f'{attr}="{htmllib.escape(str(value), quote=True)}"'


def _style(style: dict) -> str:
    """A React style dict as CSS text: camelCase names in kebab-case, numbers in px
    where React would add px."""
    rules = []
    for name, value in style.items():
        if value is None or value == "":
            continue
        prop = name if name.startswith("--") else _CAMEL.sub(r"-\1", name).lower()
        if isinstance(value, (int, float)) and not isinstance(value, bool) \
                and value != 0 and prop not in UNITLESS and not prop.startswith("--"):
            value = f"{value}px"
        rules.append(f"{prop}:{value}")
    return ";".join(rules)
