"""Benchmark: a national-scale consolidated workbook (≈3 300 units × 100 criteria, plus the report's
figures), written three ways, each in its own process so peak memory is its own:

  ours    danvan_kit.excel.write_consolidated (formats, formulas with values, heading, print set-up)
  raw     xlsxwriter writing the same cells with write_number/write_string (the floor)
  pandas  one DataFrame per sheet, DataFrame.to_excel(engine="openpyxl")

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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VN = timezone(timedelta(hours=7))


def score_form(criteria: int):
    from danvan_kit.forms.schema import FormTemplate

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
    return FormTemplate.model_validate({
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
                    due=date(2030, 11, 10), opens=date(2030, 10, 1))
    tcd = Period(id="2030-tcd", year=2030, kind="self_assessment", title="Tự chấm điểm năm 2030", form=scores.id,
                 due=date(2030, 11, 10), opens=date(2030, 10, 1))
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


def tables(data):
    """The same cells as plain tables: sheet -> (headers, rows)."""
    from danvan_kit.excel.columns import field_value
    from danvan_kit.figures.sums import content_sections, unit_data

    out = {"Tình hình nộp báo cáo": (["STT", "Đơn vị", "Nộp lúc", "Số ngày trễ"],
                                     [[i + 1, u.name, u.status.submitted_at.replace(tzinfo=None), u.status.days_late]
                                      for i, u in enumerate(data.units)])}
    for s in content_sections(data.form):
        fields = [f for f in s.fields if f.type not in ("long_text", "repeat", "file", "note")]
        out[s.title[:31]] = (["STT", "Đơn vị"] + [f.label for f in fields],
                             [[i + 1, u.name] + [field_value(f, unit_data(u).get(f.name)) for f in fields]
                              for i, u in enumerate(data.units)])
    texts = [f for f in data.form.all_fields() if f.type == "long_text"]
    out["Thuyết minh"] = (["STT", "Đơn vị"] + [f.label for f in texts],
                          [[i + 1, u.name] + [unit_data(u).get(f.name) for f in texts]
                           for i, u in enumerate(data.units)])
    comp = data.companions[0]
    crit = comp.form.score_fields()
    out["Điểm từng tiêu chí"] = (["STT", "Đơn vị"] + [f.name for f in crit],
                                 [[i + 1, u.name] + [unit_data(u).get(f.name) for f in crit]
                                  for i, u in enumerate(comp.units)])
    return out


def run_one(way: str, units: int, criteria: int, path: Path) -> dict:
    data = national(units, criteria)
    started = time.perf_counter()
    if way == "ours":
        from danvan_kit.excel.consolidated import write_consolidated

        write_consolidated(data, path)
    elif way == "raw":
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
        for name, (headers, rows) in tables(data).items():
            ws = wb.add_worksheet(name)
            for c, h in enumerate(headers):
                ws.write_string(0, c, h)
            for r, row in enumerate(rows, start=1):
                for c, v in enumerate(row):
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        ws.write_number(r, c, v)
                    elif isinstance(v, datetime):
                        ws.write_datetime(r, c, v)
                    elif v is not None:
                        ws.write_string(r, c, str(v))
        wb.close()
    else:
        import pandas as pd

        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for name, (headers, rows) in tables(data).items():
                pd.DataFrame(rows, columns=headers).to_excel(writer, sheet_name=name, index=False)
    seconds = time.perf_counter() - started
    return {"way": way, "seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "size_mb": path.stat().st_size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=3300)
    parser.add_argument("--criteria", type=int, default=100)
    parser.add_argument("--one", choices=["ours", "raw", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.units, args.criteria, Path(args.out))))
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for way in ("ours", "raw", "pandas"):
            out = subprocess.run([sys.executable, __file__, "--one", way, "--units", str(args.units),
                                  "--criteria", str(args.criteria), "--out", str(Path(tmp) / f"{way}.xlsx")],
                                 capture_output=True, text=True, check=True)
            results[way] = json.loads(out.stdout.strip().splitlines()[-1])
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
