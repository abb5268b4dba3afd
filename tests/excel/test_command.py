"""`danvan export` (registered into the CLI by the integrator) and the package's import cost."""
from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from danvan_kit.cli.export import export


def test_danvan_export_rebuilds_the_periods_workbooks_from_the_store(filled, tmp_path):
    result = CliRunner().invoke(export, ["--data-dir", str(filled.data_dir), "--out", str(tmp_path),
                                         "--period", "2026-6t", "--period", "2026-tcd"], env={"DANVAN_DB_URL": ""})
    assert result.exit_code == 0, result.output
    for name in ("tong-hop-2026-6t.xlsx", "bao-cao-tinh-2026-6t.xlsx", "tong-hop-2026-tcd.xlsx"):
        assert (tmp_path / name).exists() and str(tmp_path / name) in result.output


def test_export_all_takes_every_period_with_a_submission_and_quiet_prints_nothing(filled, tmp_path):
    result = CliRunner().invoke(export, ["--data-dir", str(filled.data_dir), "--out", str(tmp_path), "--all",
                                         "--quiet"], env={"DANVAN_DB_URL": ""})
    assert result.exit_code == 0 and result.output == ""
    assert sorted(p.name for p in tmp_path.glob("tong-hop-*.xlsx")) == [
        "tong-hop-2025-nam.xlsx", "tong-hop-2026-6t.xlsx", "tong-hop-2026-dvk.xlsx", "tong-hop-2026-nam.xlsx",
        "tong-hop-2026-tcd.xlsx"]


def test_export_needs_a_known_period_and_says_so_in_vietnamese(filled, tmp_path):
    runner = CliRunner()
    none = runner.invoke(export, ["--data-dir", str(filled.data_dir), "--out", str(tmp_path)])
    assert none.exit_code == 2 and "--period" in none.output
    bad = runner.invoke(export, ["--data-dir", str(filled.data_dir), "--out", str(tmp_path), "--period", "2026-9t"])
    assert bad.exit_code == 2 and "không có kỳ báo cáo" in bad.output


def test_export_help_explains_every_option_and_ends_with_an_example():
    text = CliRunner().invoke(export, ["--help"]).output
    for option in ("--period", "--all", "--out", "--quiet", "--db-url", "--data-dir"):
        assert option in text
    assert export.help.strip().splitlines()[-1].strip().startswith("Example: danvan export --period")


def test_importing_the_excel_package_does_not_import_pandas():
    code = ("import sys; import danvan_kit.excel as x; "
            "[getattr(x, n) for n in x.__all__]; print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
