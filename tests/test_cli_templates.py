"""`danvan templates check` and `danvan serve`'s command line."""
from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from danvan_kit.app.server import serve_environment, voila_command
from danvan_kit.cli import main
from danvan_kit.settings import PROJECT_ROOT

ROOT = Path(__file__).resolve().parent.parent / "templates"


def test_templates_check_passes_on_the_shipped_templates():
    result = CliRunner().invoke(main, ["templates", "check", "--root", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert "Mẫu hợp lệ" in result.output


def test_templates_check_names_file_and_field_and_fails(tmp_path):
    root = tmp_path / "templates"
    shutil.copytree(ROOT, root)
    path = root / "forms" / "dan-van-kheo.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("type: date, required: true, label: Thời gian bắt đầu",
                                                             "type: ngay, required: true, label: Thời gian bắt đầu"),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["templates", "check", "--root", str(root)])
    assert result.exit_code == 1
    assert "dan-van-kheo.yaml" in result.output and "ngay_bat_dau" in result.output and "'ngay'" in result.output


def test_serve_runs_voila_on_the_notebooks_with_the_project_config(tmp_path):
    cmd = voila_command(port=9999)
    assert cmd[1:3] == ["-m", "voila"] and str(PROJECT_ROOT / "notebooks") in cmd
    assert "--port=9999" in cmd and "--Voila.ip=127.0.0.1" in cmd and "--no-browser" in cmd
    assert (PROJECT_ROOT / "voila.json").exists()
    env = serve_environment(Path("relative-data"))
    assert Path(env["DANVAN_DATA_DIR"]).is_absolute()


def test_voila_finds_the_page_template_voila_json_names_first_on_its_path(monkeypatch):
    import json
    import os

    import tomllib
    from voila.paths import collect_template_paths

    from danvan_kit.app.server import JUPYTER_DATA

    name = json.loads((PROJECT_ROOT / "voila.json").read_text(encoding="utf-8"))["VoilaConfiguration"]["template"]
    monkeypatch.setenv("JUPYTER_PATH", "/somewhere/else")
    env = serve_environment(Path("data"))
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(JUPYTER_DATA), "/somewhere/else"]
    monkeypatch.setenv("JUPYTER_PATH", env["JUPYTER_PATH"])
    paths = collect_template_paths(["voila", "nbconvert"], name, prune=True)
    assert paths[0] == str(JUPYTER_DATA / "voila" / "templates" / name)
    assert any(p.endswith(os.path.join("voila", "templates", "lab")) for p in paths)   # what it extends
    # and it is installed with the package, not only present in a checkout
    package_data = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    shipped = {p for pattern in package_data["danvan_kit"] for p in (PROJECT_ROOT / "danvan_kit").glob(pattern)}
    assert set((JUPYTER_DATA / "voila" / "templates" / name).iterdir()) <= shipped


def test_templates_check_refuses_nested_yaml_aliases_naming_file_and_line(tmp_path):
    from test_templates import LAUGHS

    root = tmp_path / "templates"
    shutil.copytree(ROOT, root)
    (root / "forms" / "cuoi.yaml").write_text(LAUGHS, encoding="utf-8")
    result = CliRunner().invoke(main, ["templates", "check", "--root", str(root)])
    assert result.exit_code == 1
    assert "cuoi.yaml: dòng 1, cột 4: mẫu không được dùng neo (&) hay bí danh (*) của YAML" in result.output
    assert "MemoryError" not in result.output and "Traceback" not in result.output


def test_serve_writes_the_packages_bytecode_first_so_kernels_load_it_instead_of_compiling(monkeypatch):
    """Even where Python may not cache bytecode (PYTHONDONTWRITEBYTECODE), as in many containers."""
    import importlib.util
    import sys

    from danvan_kit.app.server import compile_package

    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    package = PROJECT_ROOT / "danvan_kit"
    module = package / "widgets" / "shared.py"
    cached = Path(importlib.util.cache_from_source(str(module)))
    cached.unlink(missing_ok=True)
    compile_package()
    assert cached.exists() and cached.stat().st_mtime >= module.stat().st_mtime
    stale = [p for p in package.rglob("*.py")
             if not Path(importlib.util.cache_from_source(str(p))).exists()]
    assert stale == []
