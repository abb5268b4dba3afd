"""A new Word template for next year leaves last year's documents as they were."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import docx

from danvan_kit.catalog.loading import load_catalog
from danvan_kit.word import template_for, unit_document, unit_report_bytes

ROOT = Path(__file__).resolve().parents[2]
NEW_WORDING = "Trên đây là báo cáo (mẫu 2027)"


def _texts(content: bytes, tmp: Path) -> list[str]:
    tmp.write_bytes(content)
    return [p.text for p in docx.Document(str(tmp)).paragraphs]


def test_next_years_word_template_leaves_last_years_report_unchanged(docs, tmp_path):
    root = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", root)
    store, actor = docs.filled.store, docs.filled.store.system_actor()
    before = _texts(unit_document(load_catalog(root), store, actor, "XA-AN-PHU", "2026-nam").content,
                    tmp_path / "before.docx")

    folder = root / "van-ban"
    with zipfile.ZipFile(folder / "bao-cao-don-vi-v1.docx") as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    xml = parts["word/document.xml"].decode("utf-8")
    assert "Trên đây là báo cáo" in xml
    parts["word/document.xml"] = xml.replace("Trên đây là báo cáo", NEW_WORDING).encode("utf-8")
    with zipfile.ZipFile(folder / "bao-cao-don-vi-v2.docx", "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    index = folder / "van-ban.yaml"
    index.write_text(index.read_text(encoding="utf-8") + "  - {kind: bao-cao-don-vi, version: 2, applies_from: 2027, "
                     "file: bao-cao-don-vi-v2.docx}\n", encoding="utf-8")

    catalog = load_catalog(root)
    assert template_for("bao-cao-don-vi", 2026, root).version == 1
    assert template_for("bao-cao-don-vi", 2027, root).version == 2
    after = _texts(unit_document(catalog, store, actor, "XA-AN-PHU", "2026-nam").content, tmp_path / "after.docx")
    assert after == before and not any(NEW_WORDING in t for t in after)

    revision = store.latest(actor, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-nam", submitted_only=True)
    as_2027 = SimpleNamespace(form_id=revision.form_id, template_version=revision.template_version,
                              data=revision.data, created_at=revision.created_at)
    next_year = _texts(unit_report_bytes(catalog, as_2027, unit_code="XA-AN-PHU", period="2027-nam"),
                       tmp_path / "2027.docx")
    assert any(t.startswith(NEW_WORDING) for t in next_year)
