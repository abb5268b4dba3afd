"""Analysts at home in JupyterLab: `danvan lab` serves analysis/ with the store configured, and the
desk's charts are redrawn in a notebook from `analysis.frames` with pandas' plotting (matplotlib)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbclient
import nbformat
import pytest
from click.testing import CliRunner

from danvan_kit.cli import main

ROOT = Path(__file__).resolve().parent.parent
CHARTS = ROOT / "analysis" / "bieu_do_tong_hop.ipynb"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("lab-data")
    result = CliRunner().invoke(main, ["init", "--demo", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    return data


def test_the_chart_notebook_redraws_the_desks_charts_from_frames(demo_dir, monkeypatch):
    monkeypatch.setenv("DANVAN_DATA_DIR", str(demo_dir))
    monkeypatch.delenv("DANVAN_DB_URL", raising=False)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(CHARTS, as_version=4)
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(CHARTS.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"], outputs
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 3


def test_frames_carry_the_desks_comparison_with_last_year(demo_dir, monkeypatch):
    from danvan_kit.analysis import frames

    monkeypatch.setenv("DANVAN_DATA_DIR", str(demo_dir))
    monkeypatch.delenv("DANVAN_DB_URL", raising=False)
    so_sanh = frames("2026-6t")["so_sanh"]
    summed = so_sanh[(so_sanh.quy_tac == "sum") & ~so_sanh.khoa.str.startswith("status__")]
    assert summed.cung_ky_nam_truoc.notna().sum() > 10
    row = summed.dropna(subset=["cung_ky_nam_truoc"]).iloc[0]
    assert row.thay_doi == pytest.approx(row.ky_nay - row.cung_ky_nam_truoc)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_danvan_lab_serves_analysis_with_the_store_configured(demo_dir):
    import psutil

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env.update(JUPYTER_CONFIG_DIR=str(demo_dir / "jupyter-config"), JUPYTER_RUNTIME_DIR=str(demo_dir / "runtime"))
    root = ["--allow-root"] if os.geteuid() == 0 else []   # CI runs as root; JupyterLab refuses it otherwise
    proc = subprocess.Popen([sys.executable, "-m", "danvan_kit", "lab", "--port", str(port), "--data-dir",
                             str(demo_dir), *root], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, status = time.monotonic() + 90, None
        while status is None:
            assert proc.poll() is None and time.monotonic() < deadline, "JupyterLab did not start"
            try:
                status = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=5).read())
            except OSError:
                time.sleep(0.3)
        assert "version" in status
        lab = psutil.Process(proc.pid)
        assert lab.environ()["DANVAN_DATA_DIR"] == str(demo_dir.resolve())
        assert Path(lab.cwd()) == ROOT and any(a == f"--ServerApp.root_dir={ROOT / 'analysis'}" for a in lab.cmdline())
    finally:
        proc.terminate()
        proc.wait(timeout=30)
