"""The layers stay visible: each package imports only the layers below it, the form core and the
figures import no UI or Excel library, and the README's "What is where" names every package."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "danvan_kit"
WATCHED = {"xlsxwriter", "openpyxl", "ipywidgets", "pandas", "voila", "docx", "docxtpl"}

# What each layer may import (besides itself and the base modules `lazy`, `settings` and `markup`).
ALLOWED = {
    "forms": set(),
    "catalog": {"forms"},
    "store": {"forms"},
    "figures": {"forms", "catalog"},
    "excel": {"forms", "catalog", "store", "figures", "xlsxwriter", "openpyxl"},
    "word": {"forms", "catalog", "figures", "docx", "docxtpl"},
    "publishing": {"forms", "catalog", "store", "figures", "excel"},
    "roundtrip": {"forms", "catalog", "store", "excel", "xlsxwriter", "openpyxl"},
    "widgets": {"forms", "ipywidgets"},
    "analysis": {"forms", "catalog", "store", "figures", "pandas"},
    "app": {"forms", "catalog", "store", "figures", "excel", "publishing", "roundtrip", "widgets", "ipywidgets",
            "voila", "word"},
    "cli": {"forms", "catalog", "store", "figures", "excel", "publishing", "roundtrip", "app", "word"},
}


def _imports() -> dict[str, set[str]]:
    """Layer -> the layers and watched libraries its modules import (relative imports resolved)."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "migrations":
            continue
        layer = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        parts = ["danvan_kit", *rel.with_suffix("").parts]
        base = parts[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[list[str]] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    target = base[: len(base) - (node.level - 1)] + (node.module.split(".") if node.module else [])
                else:
                    target = (node.module or "").split(".")
                names = [target + [a.name] if len(target) == 1 else target for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name.split(".") for a in node.names]
            for target in names:
                if target[0] == "danvan_kit" and len(target) > 1:
                    found[layer].add(target[1].removesuffix(".py"))
                elif target[0] in WATCHED:
                    found[layer].add(target[0])
    return found


def test_each_layer_imports_only_the_layers_below_it():
    wrong = {layer: sorted(used - ALLOWED[layer] - {layer, "lazy", "settings", "markup"})
             for layer, used in _imports().items() if layer in ALLOWED}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_every_package_has_a_layer_rule():
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")} - {"migrations"}
    assert packages <= set(ALLOWED)


def test_the_readmes_what_is_where_names_every_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What is where", 1)[1].split("\n## ", 1)[0]
    packages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    missing = [p for p in packages if f"`danvan_kit/{p}/`" not in section]
    assert missing == []


def test_only_the_markup_module_escapes_html():
    """One escaping helper: no other module imports the standard library's html module."""
    users = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(a.name == "html" for a in node.names) or \
                    isinstance(node, ast.ImportFrom) and node.module == "html" and not node.level:
                users.append(str(path.relative_to(PACKAGE)))
    assert users == ["markup.py"]
