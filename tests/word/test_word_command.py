"""`danvan report` and `danvan templates check` for the Word templates."""
from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from danvan_kit.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner(docs, monkeypatch):
    for name in ("DANVAN_DB_URL", "DANVAN_OUTPUT_DIR", "DANVAN_TEMPLATES", "DANVAN_ORG"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner(), ["--data-dir", str(docs.filled.data_dir)]


def _first_texts(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_danvan_report_writes_the_district_report_to_the_given_file(runner, tmp_path):
    cli, store = runner
    out = tmp_path / "bao-cao.docx"
    result = cli.invoke(main, ["report", *store, "--period", "2026-nam", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "I. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ" in _first_texts(out)


def test_danvan_report_with_a_unit_writes_that_units_report_into_the_output_folder(runner, docs):
    cli, store = runner
    result = cli.invoke(main, ["report", *store, "--period", "2026-nam", "--unit", "XA-AN-PHU"])
    assert result.exit_code == 0, result.output
    path = docs.filled.data_dir / "xuat-excel" / "bao-cao_XA-AN-PHU_2026-nam.docx"
    assert path.exists() and f"Đã ghi {path}" in result.output
    assert "Kết quả thực hiện công tác dân vận chính quyền năm 2026" in _first_texts(path)
    assert (path.stat().st_mode & 0o777) == 0o600


def test_danvan_report_gives_the_notice_for_a_self_assessment_and_the_reminder_on_request(runner, tmp_path):
    cli, store = runner
    notice, remind = tmp_path / "tb.docx", tmp_path / "cv.docx"
    assert cli.invoke(main, ["report", *store, "--period", "2026-tcd", "--out", str(notice)]).exit_code == 0
    result = cli.invoke(main, ["report", *store, "--period", "2026-6t", "--reminder", "--out", str(remind)])
    assert result.exit_code == 0, result.output
    assert "THÔNG BÁO" in _first_texts(notice)
    assert any(t.startswith("V/v đôn đốc") for p in docx.Document(str(remind)).tables[0].rows[0].cells
               for t in [x.text for x in p.paragraphs])


@pytest.mark.parametrize("args, message", [
    (["--period", "2031-nam"], "không có kỳ báo cáo '2031-nam'"),
    (["--period", "2026-nam", "--unit", "XA-KHONG-CO"], "không có đơn vị 'XA-KHONG-CO'"),
    (["--period", "2026-tcd", "--unit", "XA-AN-PHU"], "không phải kỳ báo cáo định kỳ"),
])
def test_danvan_report_refuses_a_wrong_period_or_unit_in_vietnamese_and_writes_nothing(runner, tmp_path, args,
                                                                                        message):
    cli, store = runner
    out = tmp_path / "x.docx"
    result = cli.invoke(main, ["report", *store, *args, "--out", str(out)])
    assert result.exit_code in (1, 2) and message in result.output
    assert not out.exists()


def test_danvan_report_says_which_unit_has_not_submitted(runner, docs, tmp_path):
    cli, store = runner
    missing = sorted(docs.filled.missing["2026-6t"])[0]
    name = docs.filled.catalog.organisation.unit(missing).name
    result = cli.invoke(main, ["report", *store, "--period", "2026-6t", "--unit", missing,
                               "--out", str(tmp_path / "x.docx")])
    assert result.exit_code == 1 and f"{name} chưa nộp báo cáo 6 tháng đầu năm 2026" in result.output


def _templates_copy(tmp_path: Path) -> Path:
    root = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", root)
    return root


def _edit_tag(path: Path, old: str, new: str) -> None:
    """Change one tag inside the .docx the way an edit in Word would."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    xml = parts["word/document.xml"].decode("utf-8")
    assert old in xml
    parts["word/document.xml"] = xml.replace(old, new, 1).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)


@pytest.mark.parametrize("old, new, said", [
    ("{{ subject }}", "{{ subjekt }}", "thẻ {{ subjekt }}: tên 'subjekt' không có trong dữ liệu"),
    ("{%p endfor %}", "{%p endfro %}", "thẻ {% endfro %}: gặp thẻ {% endfro %} khi còn chờ {% endfor %}"),
    ("{%p for s in sections %}", "{%p for s in %}", "thẻ {% for s in %}: thẻ viết sai cú pháp"),
    ("{{ opening }}", "{{ opening.__class__.__mro__ }}",
     "thẻ {{ opening.__class__.__mro__ }}: thẻ dùng '__class__', không được phép trong mẫu văn bản"),
])
def test_templates_check_names_the_file_and_the_tag_of_a_broken_word_template(tmp_path, old, new, said):
    root = _templates_copy(tmp_path)
    _edit_tag(root / "van-ban" / "bao-cao-don-vi-v1.docx", old, new)
    result = CliRunner().invoke(main, ["templates", "check", "--root", str(root)])
    assert result.exit_code == 1
    assert "bao-cao-don-vi-v1.docx" in result.output and said in result.output, result.output
    assert "Traceback" not in result.output and "undefined" not in result.output


def test_templates_check_refuses_a_word_template_that_is_not_a_word_file(tmp_path):
    root = _templates_copy(tmp_path)
    (root / "van-ban" / "cong-van-don-doc-v1.docx").write_bytes(b"not a zip at all")
    result = CliRunner().invoke(main, ["templates", "check", "--root", str(root)])
    assert result.exit_code == 1
    assert "cong-van-don-doc-v1.docx" in result.output and "không phải văn bản Word" in result.output


def test_the_shipped_word_templates_pass_the_check_and_are_what_the_script_makes(tmp_path):
    import importlib.util

    result = CliRunner().invoke(main, ["templates", "check"])
    assert result.exit_code == 0, result.output
    script = ROOT / "templates" / "van-ban" / "make_templates.py"
    spec = importlib.util.spec_from_file_location("make_templates", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    made = module.main(tmp_path)
    assert len(made) == 4
    for path in made:
        assert path.read_bytes() == (ROOT / "templates" / "van-ban" / path.name).read_bytes(), path.name
