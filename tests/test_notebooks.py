"""Every notebook executes headless in a real kernel: no data without a ticket, the page with one."""
from __future__ import annotations

import json
from pathlib import Path

import nbclient
import nbformat
import pytest
from click.testing import CliRunner

from danvan_kit.cli import main

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """A store with the units' accounts but no reports (--demo would add the demo year's)."""
    from danvan_kit.store import Store

    data = tmp_path_factory.mktemp("nb-data")
    result = CliRunner().invoke(main, ["init", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    with Store.open(data_dir=data) as store:
        store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", passcode="demo123")
    return data


def run(path: Path, monkeypatch, data: Path, query: str = "", ticket: str = "") -> list[dict]:
    monkeypatch.setenv("DANVAN_DATA_DIR", str(data))
    monkeypatch.setenv("QUERY_STRING", query)
    monkeypatch.setenv("HTTP_X_DANVAN_TICKET", ticket)    # what the server's identity provider hands a page
    monkeypatch.delenv("DANVAN_DB_URL", raising=False)
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]


def widget_outputs(outputs: list[dict]) -> list[dict]:
    return [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]


def test_notebooks_are_thin():
    for path in NOTEBOOKS:
        code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        assert len(code) <= 3 and sum(len(c.source.splitlines()) for c in code) <= 8, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_each_notebook_runs_and_shows_no_data_without_a_ticket(path, monkeypatch, data_dir):
    log = data_dir / "logs" / "app.log"
    built = lambda: log.read_text(encoding="utf-8").count("page built") if log.exists() else 0  # noqa: E731
    before = built()
    outputs = run(path, monkeypatch, data_dir)
    assert not [o for o in outputs if o.get("output_type") in ("error", "stream")], outputs
    assert len(widget_outputs(outputs)) == 1
    assert built() == before                      # no page was built: only the way to the login


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_each_notebook_builds_its_page_for_a_logged_in_unit(path, monkeypatch, data_dir):
    from danvan_kit.store import Store

    with Store.open(data_dir=data_dir) as store:
        ticket = store.issue_page_ticket(store.session_account(
            store.log_in("xa-an-phu", "demo123", client="test").token))
    log = data_dir / "logs" / "app.log"
    before = log.read_text(encoding="utf-8").count("page built for xa-an-phu") if log.exists() else 0
    outputs = run(path, monkeypatch, data_dir, query="ky=2026-nam", ticket=ticket)
    assert log.read_text(encoding="utf-8").count("page built for xa-an-phu (unit)") == before + 1
    assert not [o for o in outputs if o.get("output_type") in ("error", "stream")], json.dumps(outputs)[:2000]
    assert len(widget_outputs(outputs)) == 1
    assert "ERROR" not in log.read_text(encoding="utf-8")


def test_the_analysis_notebook_runs_on_a_filled_store(monkeypatch, data_dir, catalog):
    from samples import REPORT_INPUT

    from danvan_kit.forms.engine import validate_submission
    from danvan_kit.store import Store

    smaller = dict(REPORT_INPUT, ty_le_hai_long="80", tthc_tiep_nhan="400", tthc_truc_tuyen="100",
                   tthc_dung_han="300", tthc_tre_han="100")
    with Store.open(data_dir=data_dir, validator=catalog.validator) as store:
        for unit, raw in (("XA-AN-PHU", REPORT_INPUT), ("XA-TAN-QUAN", smaller)):
            clean = validate_submission(catalog.form("bao-cao-dinh-ky"), raw).data
            store.submit(store.system_actor(), unit, "bao-cao-dinh-ky", "2026-nam", clean,
                         template_version=1, attempt_id=f"analysis-notebook-test-{unit}")
    path = Path(__file__).resolve().parent.parent / "analysis" / "phan_tich_mau.ipynb"
    outputs = run(path, monkeypatch, data_dir)
    assert not [o for o in outputs if o.get("output_type") == "error"], outputs
    html = " ".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "Xã An Phú" in html and "2240" in html.replace(".", "").replace(",", "")   # 1 840 + 400 hồ sơ

    def total(label: str) -> str:
        return html.split(f"<th>{label}</th>")[1].split("</td>")[0].split(">")[-1].strip()

    assert total("Tỷ lệ người dân hài lòng") == "86.25"                    # (92,5 + 80) / 2, not 172,5
    assert total("Tỷ lệ giải quyết đúng hạn (tự tính)") == "94.90"          # 2 095 / (2 095 + 112), not 87,15


def test_voila_waits_for_a_busy_kernels_page_output_as_long_as_a_browser_waits_for_the_page():
    """A page's widgets reach Voilà on IOPub after the cell's reply; nbclient waits `iopub_timeout`
    (4 s by default) and then serves the page without its output. On a busy 2-core machine the
    form's hundreds of widget messages took longer, and a full test run saw a page with only its
    title ("Timeout waiting for IOPub output" in Voilà's log). voila.json, read as Voilà reads it,
    must give the executor that renders every page a longer wait."""
    from traitlets.config.loader import JSONFileConfigLoader
    from voila.execute import VoilaExecutor

    root = NOTEBOOKS[0].parent.parent
    config = JSONFileConfigLoader("voila.json", path=str(root)).load_config()
    executor = VoilaExecutor(nbformat.v4.new_notebook(), config=config)
    assert executor.iopub_timeout >= 60
    assert VoilaExecutor(nbformat.v4.new_notebook()).iopub_timeout < 60  # what Voilà would use without it
