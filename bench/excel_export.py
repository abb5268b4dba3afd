"""Benchmark: a national-scale consolidated workbook (≈3 300 units × 100 criteria, plus the report's
figures), written three ways, each in its own process so peak memory is its own:

  ours    danvan_kit.excel.write_consolidated (formats, formulas with values, heading, print set-up)
  raw     bare xlsxwriter writing the same table cells (the floor): the header rows, every data row with
          the unit columns again in each printed column block, rates and totals as formulas with their
          values, the summary blocks; no formats, heading, signature, row heights or print set-up.
          Values are computed from the same data in plain code; the column layout of each sheet is
          read from our workbook's "(1) (2) …" row, so both write the same columns in the same places.
  pandas  the same table cells as values, one DataFrame per sheet, DataFrame.to_excel(engine="openpyxl")

Prints seconds and peak RSS of each and the ratios ours/raw and pandas/ours.
Run: .venv/bin/python bench/excel_export.py [--units 3300] [--criteria 100]
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VN = timezone(timedelta(hours=7))


def score_form(criteria: int):
    from danvan_kit.forms.schema import FormTemplate
    from danvan_kit.forms.yamlfile import load_model

    groups = 10
    per = max(1, criteria // groups)
    sections = [{"name": "dieu_kien", "title": "Điều kiện", "fields": [
        {"name": "co_vi_pham_nghiem_trong", "type": "yes_no", "label": "Có vi phạm nghiêm trọng"}]}]
    for g in range(groups):
        sections.append({"name": f"nhom_{g + 1}", "title": f"{g + 1}. Nhóm tiêu chí {g + 1}", "max_score": per,
                         "fields": [{"name": f"tc_{g + 1}_{i + 1}", "type": "decimal", "max_score": 1,
                                     "label": f"{g + 1}.{i + 1}. Tiêu chí {g + 1}.{i + 1}"} for i in range(per)]})
    sections.append({"name": "ket_qua", "title": "Kết quả", "fields": [
        {"name": "tong_diem", "type": "decimal", "label": "Tổng điểm", "calculation": "score_total()"},
        {"name": "xep_loai", "type": "text", "label": "Xếp loại", "calculation": "classify(tong_diem)"}]})
    total = groups * per
    return load_model("bench-tieu-chi.yaml", FormTemplate, {
        "id": "bench-tieu-chi", "version": 1, "title": "Bảng tự chấm điểm (thử tải)", "code": "Biểu số 02/DVCQ",
        "sections": sections,
        "scoring": {"total_max": total, "ineligible_when": "co_vi_pham_nghiem_trong == True", "classes": [
            {"label": "Tốt", "from": 0.8 * total}, {"label": "Khá", "from": 0.65 * total, "below": 0.8 * total},
            {"label": "Trung bình", "from": 0.5 * total, "below": 0.65 * total},
            {"label": "Yếu", "from": 0, "below": 0.5 * total}]}})


def report_data(rng: random.Random) -> dict:
    cuoc = rng.randint(3, 30)
    tiep = rng.randint(0, 3000)
    dung = rng.randint(0, tiep)
    tre = rng.randint(0, tiep - dung)
    kn = rng.randint(0, 12)
    return {
        "so_ky_hieu": f"{rng.randint(1, 300)}/BC-UBND", "ngay_bao_cao": "2030-11-05", "nguoi_lap": "Nguyễn Văn An",
        "pho_bien_chi_thi_33": True, "so_van_ban_trien_khai": rng.randint(0, 9), "so_cuoc_tuyen_truyen": cuoc,
        "so_luot_nguoi_tham_du": cuoc * rng.randint(20, 150), "so_cuoc_vung_dtts": rng.randint(0, cuoc),
        "hinh_thuc_tuyen_truyen": ["hoi_nghi", "truyen_thanh"], "so_chuong_trinh_phoi_hop": rng.randint(0, 5),
        "co_khao_sat_hai_long": True, "ty_le_hai_long": round(rng.uniform(60, 99), 1),
        "so_mo_hinh_dang_ky": 3, "so_mo_hinh_cong_nhan": 2, "so_mo_hinh_hieu_qua": 1, "co_quy_che_dan_chu": True,
        "so_hoi_nghi_dan_chu": rng.randint(0, 4), "so_noi_dung_cong_khai": rng.randint(0, 30),
        "tthc_tiep_nhan": tiep, "tthc_truc_tuyen": rng.randint(0, tiep), "tthc_dung_han": dung, "tthc_tre_han": tre,
        "tthc_ty_le_dung_han": round(100 * dung / (dung + tre), 1) if dung + tre else None,
        "tthc_ra_soat": rng.randint(0, 5), "so_vi_pham_cong_vu": 0, "luot_tiep_cong_dan": 40,
        "luot_nguoi_dung_dau_tiep": 10, "so_cuoc_doi_thoai": 2, "khieu_nai_tiep_nhan": kn,
        "khieu_nai_da_giai_quyet": kn, "khieu_nai_dang_giai_quyet": 0, "khieu_nai_qua_han": 0,
        "to_cao_tiep_nhan": 1, "to_cao_da_giai_quyet": 1, "to_cao_dang_giai_quyet": 0, "kien_nghi_tiep_nhan": 30,
        "kien_nghi_da_giai_quyet": 25, "kien_nghi_dang_giai_quyet": 5, "ty_le_giai_quyet_don": 85.0,
        "so_cuoc_kiem_tra": 2, "so_don_vi_duoc_kiem_tra": 3, "tao_dieu_kien_giam_sat": True,
        "ket_qua_dat_duoc": "Công tác dân vận chính quyền có chuyển biến tích cực. " * 3,
        "ton_tai_han_che": "Một số nơi còn lúng túng.", "nguyen_nhan": "Cán bộ kiêm nhiệm.",
        "phuong_huong": "Tập huấn kỹ năng dân vận.", "de_xuat_kien_nghi": "Đề nghị hỗ trợ kinh phí.",
    }


def national(units: int, criteria: int):
    """PeriodData for an annual report of `units` units with a `criteria`-criterion self-assessment."""
    from danvan_kit.catalog.calendar import Period
    from danvan_kit.catalog.loading import load_catalog
    from danvan_kit.figures.period import Entry, PeriodData, UnitLine
    from danvan_kit.store import StatusRow

    rng = random.Random(2030)
    catalog = load_catalog(ROOT / "templates")
    report = catalog.form("bao-cao-dinh-ky")
    scores = score_form(criteria)
    annual = Period(id="2030-nam", year=2030, kind="annual", title="Báo cáo năm 2030", form=report.id,
                    due=date(2030, 11, 10), opens=date(2030, 1, 1))
    tcd = Period(id="2030-tcd", year=2030, kind="self_assessment", title="Tự chấm điểm năm 2030", form=scores.id,
                 due=date(2030, 11, 10), opens=date(2030, 1, 1))
    at = datetime(2030, 11, 5, 9, tzinfo=VN)

    def lines(make):
        out = []
        for i in range(units):
            code, name = f"XA-{i:05d}", f"Xã Thử Tải {i:05d}"
            status = StatusRow(code, name, "submitted", at, True, 0, None, 1, at)
            out.append(UnitLine(code, name, status, [Entry(code, "", make(), 1, at, True, 0, 1)]))
        return out

    def score_data():
        d = {f.name: round(rng.uniform(0.3, 1.0) * 2) / 2 for f in scores.score_fields()}
        d["co_vi_pham_nghiem_trong"] = False
        d["tong_diem"] = sum(d[f.name] for f in scores.score_fields())
        d["xep_loai"] = scores.classify(d["tong_diem"])
        return d

    common = dict(parent="Bộ Nội vụ", issuer="Vụ Công tác dân vận", place="Hà Nội", today=date(2030, 11, 20))
    companion = PeriodData(tcd, scores, lines(score_data), forms={1: scores}, **common)
    return PeriodData(annual, report, lines(lambda: report_data(rng)), forms={1: report},
                      companions=[companion], source="Toàn quốc", **common)


class Ratio(NamedTuple):
    """A per-row rate cell: logical column a / column b, written as a formula with its value."""

    a: int
    b: int
    value: Any


class Total(NamedTuple):
    """A totals-row cell over the column's data rows: SUM, AVERAGE or COUNTIF(…, criterion)."""

    func: str
    value: Any
    criterion: str = ""


class Count(NamedTuple):
    """A summary-block count over logical column `col` of the data rows."""

    col: int
    criterion: str
    value: int


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _totals(rows: list[list[Any]], kinds: list[str], label: str, calc: dict[int, Any] | None = None) -> list[Any]:
    """The totals row: "sum" / "mean" / "count" / "value" / "" per logical column, the label in column 1."""
    out: list[Any] = [None] * len(kinds)
    out[1] = label
    for c, kind in enumerate(kinds):
        column = [r[c].value if isinstance(r[c], Ratio) else r[c] for r in rows]
        nums = [v for v in column if _number(v)]
        if kind == "sum":
            out[c] = Total("SUM", sum(nums))
        elif kind == "mean":
            out[c] = Total("AVERAGE", sum(nums) / len(nums) if nums else "")
        elif kind == "count":
            out[c] = Total("COUNTIF", sum(1 for v in column if v == "Có"), "Có")
        elif kind == "value":
            out[c] = (calc or {}).get(c)
        elif kind == "ratio":
            a, b = rows[0][c].a, rows[0][c].b
            ta, tb = out[a].value, out[b].value
            out[c] = Ratio(a, b, ta / tb if _number(ta) and _number(tb) and tb > 0 else "")
    return out


def tables(data):
    """The tables of our workbook as plain values, in its sheet order: (rows, totals row, summary block).

    Rows are logical columns (each once); the writer repeats the unit columns where our
    workbook prints a table in blocks. Rates and totals are formulas with their values.
    """
    from danvan_kit.excel.columns import field_value
    from danvan_kit.excel.page import excel_datetime
    from danvan_kit.figures.deadlines import LATE, MISSING, ON_TIME, deadline_label, short_status
    from danvan_kit.figures.scores import NOT_SUBMITTED, period_scores
    from danvan_kit.figures.sums import (
        calculated_totals,
        content_sections,
        is_percent,
        period_sums,
        ratio_pairs,
        unit_data,
    )
    from danvan_kit.store.types import STATUS_LABELS

    out = []
    units = data.units
    status = []
    for i, u in enumerate(units):
        s = u.status
        notes = "\n".join(e.review.comment for e in u.entries if e.review is not None and e.review.comment)
        status.append([i + 1, u.name, STATUS_LABELS.get(s.state, ""), excel_datetime(s.submitted_at),
                       deadline_label(u), s.days_late or None, excel_datetime(s.last_submitted_at),
                       len(u.entries) or None, STATUS_LABELS.get(s.review_state or "", ""), notes])
    labels = [r[4] for r in status]
    out.append((status, None, [("Tổng hợp", "Số đơn vị"), ("Số đơn vị phải báo cáo", Count(1, "", len(units)))] + [
        (label, Count(4, key, labels.count(key))) for label, key in
        (("Đã nộp đúng hạn", ON_TIME), ("Đã nộp nhưng trễ hạn", LATE), ("Chưa nộp", MISSING))]))

    form = data.form
    datas = [unit_data(u) or {} for u in units]
    base = [[i + 1, u.name, short_status(u)] for i, u in enumerate(units)]
    calc = calculated_totals(form, period_sums(data))
    pairs = ratio_pairs(form)
    area_texts = []
    for section in content_sections(form):
        fields = [f for f in section.fields if f.type not in ("long_text", "repeat", "file", "note")]
        area_texts += [f for f in section.fields if f.type in ("long_text", "repeat")]
        index = {f.name: 3 + i for i, f in enumerate(fields)}
        rates = [(index[a], index[b]) for a, b in pairs if a in index and b in index]
        rows = []
        for b, d in zip(base, datas):
            row = b + [field_value(f, d.get(f.name)) for f in fields]
            rows.append(row + [Ratio(a, c, row[a] / row[c] if _number(row[a]) and _number(row[c]) and row[c] > 0
                                     else "") for a, c in rates])
        kinds = ["", "", ""] + [
            "sum" if f.type == "integer" or (f.type == "decimal" and not is_percent(f)) else
            ("value" if f.calculation else "mean") if is_percent(f) else "count" if f.type == "yes_no" else ""
            for f in fields] + ["ratio"] * len(rates)
        values = {index[f.name]: calc[f.name] / 100 for f in fields
                  if is_percent(f) and f.calculation and _number(calc.get(f.name))}
        out.append((rows, _totals(rows, kinds, "Tổng cộng", values), []))
    content = {s.name for s in content_sections(form)}
    general = [f for s in form.sections if s.name not in content and s.max_score is None
               for f in s.fields if f.type == "long_text"]
    for texts in (general, area_texts):
        out.append(([b + [field_value(f, d.get(f.name)) for f in texts] for b, d in zip(base, datas)], None, []))

    comp = data.companions[0]
    cform = comp.form
    scores = period_scores(comp)
    groups = [s for s in cform.sections if any(f.max_score for f in s.fields)]
    board = [[i + 1, u.name, short_status(u)] + [sc.groups.get(g.name) for g in groups] +
             [sc.self_total, sc.reviewer_total, sc.self_label, sc.label, sc.rank]
             for i, (u, sc) in enumerate(zip(comp.units, scores))]
    kinds = ["", "", ""] + ["mean"] * (len(groups) + 2) + ["", "", ""]
    classes = [b.label for b in cform.scoring.classes] + [cform.scoring.ineligible_label, NOT_SUBMITTED]
    label_col = len(kinds) - 2
    out.append((board, _totals(board, kinds, "Bình quân"),
                [("Xếp loại", "Số đơn vị")] +
                [(label, Count(label_col, label, sum(1 for sc in scores if sc.label == label))) for label in classes]))
    crit = [f for s in cform.sections for f in s.fields if f.max_score]
    detail = [[i + 1, u.name] + [(unit_data(u) or {}).get(f.name) for f in crit] for i, u in enumerate(comp.units)]
    out.append((detail, _totals(detail, ["", ""] + ["mean"] * len(crit), "Bình quân"), []))
    return out


def write_raw(path: Path, data, sheets: list[dict]) -> None:
    """Our workbook's table cells with bare xlsxwriter calls: the header rows as ours has them, every data row
    (the unit columns again in each printed block), rates and totals as formulas with values; no formats,
    heading, signature, row heights or print set-up."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    for table, sheet in zip(tables(data), sheets):
        _raw_sheet(wb.add_worksheet(sheet["name"]), *table, sheet)
    wb.close()


def _raw_sheet(ws, rows: list[list[Any]], totals: list[Any] | None, summary: list, sheet: dict) -> None:
    from xlsxwriter.utility import xl_col_to_name

    layout = sheet["layout"]
    at: dict[int, int] = {}
    for pos, c in enumerate(layout):
        at.setdefault(c, pos)
    if len(at) != len(rows[0]):
        raise SystemExit(f"{sheet['name']}: ours has {len(at)} columns, the baseline {len(rows[0])}")
    for r, texts in enumerate(sheet["headers"]):
        for c, text in enumerate(texts):
            if text:
                ws.write_string(r, c, text)
    first = len(sheet["headers"])
    last = first + len(rows) - 1
    letters = [xl_col_to_name(at[c]) for c in range(len(at))]

    def write(r: int, pos: int, v: Any) -> None:   # the common cases first: plain numbers and text
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            ws.write_number(r, pos, v)
        elif isinstance(v, str):
            if v:
                ws.write_string(r, pos, v)
        elif v is None:
            return
        elif isinstance(v, Ratio):
            a, b = letters[v.a], letters[v.b]
            ws.write_formula(r, pos, f'=IF(N({b}{r + 1})>0,{a}{r + 1}/{b}{r + 1},"")', None, v.value)
        elif isinstance(v, Total):
            rng = f"{xl_col_to_name(pos)}{first + 1}:{xl_col_to_name(pos)}{last + 1}"
            formula = (f'=COUNTIF({rng},"{v.criterion}")' if v.func == "COUNTIF" else
                       f'=IF(COUNT({rng})>0,AVERAGE({rng}),"")' if v.func == "AVERAGE" else f"=SUM({rng})")
            ws.write_formula(r, pos, formula, None, v.value)
        elif isinstance(v, datetime):
            ws.write_datetime(r, pos, v)
        else:
            ws.write_string(r, pos, str(v))

    for r, row in enumerate(rows, start=first):
        for pos, c in enumerate(layout):
            write(r, pos, row[c])
    end = last + 1
    if totals is not None:
        for pos, c in enumerate(layout):
            write(end, pos, totals[c] if c != 1 or pos == at[1] else None)
        end += 1
    for i, (label, count) in enumerate(summary):
        col = letters[count.col] if isinstance(count, Count) else ""
        rng = f"{col}{first + 1}:{col}{last + 1}"
        ws.write_string(end + 1 + i, 1, label)
        if isinstance(count, str):   # the block's own header
            ws.write_string(end + 1 + i, 2, count)
        else:
            ws.write_formula(end + 1 + i, 2, f'=COUNTIF({rng},"{count.criterion}")' if count.criterion
                             else f"=COUNTA({rng})", None, count.value)


def layouts(path: Path) -> list[dict]:
    """Each table sheet of our workbook: its name, its header rows (from the row holding "STT" to the row
    numbering the columns "(1)", "(2)", …) and the table column each sheet column shows."""
    import openpyxl

    out = []
    wb = openpyxl.load_workbook(path, read_only=True)
    for ws in wb.worksheets:
        rows = [list(r) for r in ws.iter_rows(max_row=20, values_only=True)]
        top = next((i for i, r in enumerate(rows) if r and r[0] == "STT"), None)
        numbers = next((i for i, r in enumerate(rows) if r and r[0] == "(1)"), None)
        if top is None or numbers is None:
            continue
        layout = [int(str(v)[1:str(v).index(")")]) - 1 for v in rows[numbers] if v]
        headers = [[v if isinstance(v, str) else "" for v in r[:len(layout)]] for r in rows[top:numbers + 1]]
        out.append({"name": ws.title, "headers": headers, "layout": layout})
    return out


def write_pandas(path: Path, data, sheets: list[dict]) -> None:
    """The same table cells as values (rates and totals too), one DataFrame per sheet, through openpyxl."""
    import pandas as pd

    def plain(v: Any) -> Any:
        return v.value if isinstance(v, (Ratio, Total, Count)) else v

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for (rows, totals, _), sheet in zip(tables(data), sheets):
            layout = sheet["layout"]
            body = rows + ([totals] if totals is not None else [])
            frame = pd.DataFrame([[plain(row[c]) for c in layout] for row in body], columns=sheet["headers"][-2])
            frame.to_excel(writer, sheet_name=sheet["name"], index=False)


def run_one(way: str, units: int, criteria: int, path: Path, sheets: list[dict]) -> dict:
    data = national(units, criteria)
    started = time.perf_counter()
    if way == "ours":
        from danvan_kit.excel.consolidated import write_consolidated

        write_consolidated(data, path)
    elif way == "raw":
        write_raw(path, data, sheets)
    else:
        write_pandas(path, data, sheets)
    seconds = time.perf_counter() - started
    return {"way": way, "seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "size_mb": path.stat().st_size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=3300)
    parser.add_argument("--criteria", type=int, default=100)
    parser.add_argument("--one", choices=["ours", "raw", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--sheets", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        sheets = json.loads(Path(args.sheets).read_text()) if args.one != "ours" else []
        print(json.dumps(run_one(args.one, args.units, args.criteria, Path(args.out), sheets)))
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "sheets.json"
        for way in ("ours", "raw", "pandas"):
            out = subprocess.run([sys.executable, __file__, "--one", way, "--units", str(args.units),
                                  "--criteria", str(args.criteria), "--out", str(Path(tmp) / f"{way}.xlsx"),
                                  "--sheets", str(plan)], capture_output=True, text=True)
            if out.returncode:
                raise SystemExit(f"{way}: {out.stderr}")
            results[way] = json.loads(out.stdout.strip().splitlines()[-1])
            if way == "ours":   # the baseline writes our tables' cells in our tables' column layout
                plan.write_text(json.dumps(layouts(Path(tmp) / "ours.xlsx")))
    print(f"{args.units} units × {args.criteria} criteria, plus the report's figures and narratives")
    for way, r in results.items():
        print(f"  {way:7s} {r['seconds']:7.2f} s   peak {r['peak_mb']:7.0f} MB   file {r['size_mb']:5.1f} MB")
    ours, raw, pandas = results["ours"], results["raw"], results["pandas"]
    print(f"  ours / raw xlsxwriter (floor): time {ours['seconds'] / raw['seconds']:.2f}×, "
          f"memory {ours['peak_mb'] / raw['peak_mb']:.2f}×")
    print(f"  pandas+openpyxl / ours:        time {pandas['seconds'] / ours['seconds']:.2f}×, "
          f"memory {pandas['peak_mb'] / ours['peak_mb']:.2f}×")


if __name__ == "__main__":
    main()
