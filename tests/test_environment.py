"""pyproject.toml (pip) and environment.yml (conda) must list the same dependencies."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parent.parent
# PyPI name -> conda-forge name, where they differ.
PIP_TO_CONDA = {"psycopg[binary]": "psycopg"}
_REQ = re.compile(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*)$")


def _split(requirement: str) -> tuple[str, str]:
    name, spec = _REQ.match(requirement).groups()
    return name.lower(), spec.replace(" ", "")


def pip_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["test"]
    return {PIP_TO_CONDA.get(n, n): spec for n, spec in map(_split, reqs)}


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, spec = _split(dep.replace("=", "==", 1) if re.match(r"^[^<>=!]+=[^=]", dep) else dep)
            if name not in ("python", "pip"):
                out[name] = spec
    return out


def test_pyproject_and_environment_yml_list_the_same_packages_and_bounds():
    pip, conda = pip_requirements(), conda_requirements()
    assert set(pip) == set(conda), (f"only in pyproject: {set(pip) - set(conda)}; "
                                    f"only in environment.yml: {set(conda) - set(pip)}")
    assert pip == conda


def test_both_ask_for_the_same_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert f"python{project['requires-python']}" in env["dependencies"]


def test_every_declared_dependency_is_installed_here():
    from importlib.metadata import PackageNotFoundError, version

    missing = []
    for name in pip_requirements():
        try:
            version(name.split("[")[0])
        except PackageNotFoundError:
            missing.append(name)
    assert missing == []


def test_the_form_layer_does_not_import_pandas_or_the_excel_writer():
    code = ("import sys, danvan_kit.widgets, danvan_kit.catalog; from danvan_kit import FormView, load_catalog; "
            "load_catalog(); "
            "heavy = [m for m in ('pandas', 'xlsxwriter', 'openpyxl', 'sqlalchemy') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
