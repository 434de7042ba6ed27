"""Every import points down the layers: settings -> ingest -> index -> viz -> app -> cli.

A module may import its own layer and the ones below it, never one above, including
imports inside functions (the graph build in ingest/ once imported viz/ from inside a
function and came back down)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"settings": 0, "ingest": 1, "index": 2, "viz": 3, "app": 4, "cli": 5}


def _modules():
    for package in ("ingest", "index", "viz"):
        yield from sorted((ROOT / package).rglob("*.py"))
    for module in ("settings.py", "app.py", "cli.py"):
        yield ROOT / module


def _imported(path: Path) -> set[str]:
    """The project's layers ``path`` imports (top-level names only)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in LAYERS)
    return found


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path):
    layer = path.relative_to(ROOT).parts[0].removesuffix(".py")
    above = sorted(name for name in _imported(path) if LAYERS[name] > LAYERS[layer])
    assert not above, f"{path.relative_to(ROOT)} imports {above}, above {layer!r}"


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "job.py"
    module.write_text("def build():\n    from viz.graph import analysis\n    import index.bulk\n")
    assert _imported(module) == {"viz", "index"}
