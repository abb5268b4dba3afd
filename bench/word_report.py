"""Benchmark: the district's written report (Word) for a national-scale period, ≈3 300 units, written two
ways, each in its own process so peak memory is its own:

  ours  danvan_kit.word.district_report_bytes: figures, last year, every unit's narratives, rendered
        through the docxtpl template (templates/van-ban/bao-cao-tong-hop-v1.docx)
  bare  the same context (same figures and texts), written paragraph by paragraph and table by table
        with bare python-docx onto a blank document (the floor: no template, no Decree 30 layout)

The period data is fabricated without a database, as bench/excel_export.py does (its `national`).
Prints seconds (context, writing, total) and peak RSS of each, and the ratios ours/bare.
Run: .venv/bin/python bench/word_report.py [--units 3300]
"""
from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _data(units: int):
    from excel_export import national

    data = national(units, 10)
    previous = national(units, 10)
    previous.companions = []
    data.previous = previous
    return data


def _bare(context: dict) -> bytes:
    """Every paragraph and table of the context with python-docx's add_paragraph/add_table only."""
    import docx

    doc = docx.Document()
    for key in ("subject", "opening"):
        doc.add_paragraph(str(context[key]))
    for line in context["status_lines"]:
        doc.add_paragraph(str(line))
    for s in context["sections"]:
        doc.add_paragraph(str(s["title"]))
        table = doc.add_table(rows=1, cols=6)
        for cell, text in zip(table.rows[0].cells, ["TT", "Chỉ tiêu", "ĐVT", "Kỳ này", "Cùng kỳ", "Tăng, giảm"]):
            cell.text = text
        for r in s["rows"]:
            cells = table.add_row().cells
            for cell, key in zip(cells, ("no", "label", "unit", "value", "last", "change")):
                cell.text = str(r[key])
    for g in context["groups"]:
        doc.add_paragraph(str(g["title"]))
        for n in g["entries"]:
            doc.add_paragraph(f"- {n['unit']}: {n['first']}")
            for x in n["rest"]:
                doc.add_paragraph(str(x))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def run_one(way: str, units: int) -> dict:
    from markupsafe import Markup

    from danvan_kit.catalog.loading import load_catalog
    from danvan_kit.word.district_report import district_report_context
    from danvan_kit.word.render import render_bytes
    from danvan_kit.word.templates import template_for

    catalog = load_catalog(ROOT / "templates")
    data = _data(units)
    started = time.perf_counter()
    context = district_report_context(catalog, data, when=data.today)
    built = time.perf_counter()
    if way == "ours":
        content = render_bytes(template_for("bao-cao-tong-hop", data.period.year, catalog.root), context)
    else:
        content = _bare(context)
    done = time.perf_counter()
    paragraphs = sum(1 + len(n["rest"]) for g in context["groups"] for n in g["entries"])
    assert isinstance(context["opening"], Markup)
    return {"way": way, "context_s": built - started, "write_s": done - built, "seconds": done - started,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "size_mb": len(content) / 1e6,
            "narrative_paragraphs": paragraphs, "rows": sum(len(s["rows"]) for s in context["sections"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=3300)
    parser.add_argument("--one", choices=["ours", "bare"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.units)))
        return
    results = {}
    for way in ("ours", "bare"):
        out = subprocess.run([sys.executable, __file__, "--one", way, "--units", str(args.units)],
                             capture_output=True, text=True, check=True)
        results[way] = json.loads(out.stdout.strip().splitlines()[-1])
    ours, bare = results["ours"], results["bare"]
    print(f"{args.units} units: {ours['narrative_paragraphs']} attributed narrative paragraphs, "
          f"{ours['rows']} indicator rows with last year")
    for way, r in results.items():
        print(f"  {way:5s} context {r['context_s']:6.2f} s + writing {r['write_s']:6.2f} s = {r['seconds']:6.2f} s"
              f"   peak {r['peak_mb']:6.0f} MB   file {r['size_mb']:5.1f} MB")
    print(f"  ours / bare python-docx: time {ours['seconds'] / bare['seconds']:.2f}× "
          f"(writing alone {ours['write_s'] / bare['write_s']:.2f}×), memory {ours['peak_mb'] / bare['peak_mb']:.2f}×")


if __name__ == "__main__":
    main()
