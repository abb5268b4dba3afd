"""Excel test data: a store filled for the whole organisation, and headless LibreOffice.

The store is filled once per session (seeded, so every run sees the same data):
25 units, last year's annual report, the 6-month and annual reports, the self-assessment and the
"Dân vận khéo" register of 2026, with late units, missing units, a unit asked to
correct its report, reviewer-adjusted scores and text that looks like formulas.
"""
from __future__ import annotations

import os
import random
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from danvan_kit.store import Store

VN = timezone(timedelta(hours=7))
TODAY = date(2026, 11, 20)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
SOFFICE_SKIP = ("LibreOffice (soffice) not found: PDF/CSV conversion tests were not run "
                "(apt install libreoffice-calc-nogui)")
FORMULA_TEXT = '=HYPERLINK("http://x","bấm")'
PLUS_TEXT = "+1+1"


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 4, 20, 9, 0, tzinfo=VN)

    def __call__(self) -> datetime:
        return self.moment

    def at(self, y: int, m: int, d: int, hh: int = 9, mm: int = 30) -> None:
        self.moment = datetime(y, m, d, hh, mm, tzinfo=VN)


def _report(rng: random.Random, unit: Any, year: int, half: bool) -> dict[str, Any]:
    commune = unit.kind in ("commune", "town")
    cuoc = rng.randint(3, 30)
    dk = rng.randint(0, 5)
    tiep = rng.randint(400, 3000) if commune else rng.randint(0, 120)
    dung = rng.randint(int(tiep * 0.8), tiep) if tiep else 0
    tre = rng.randint(0, tiep - dung) if tiep else 0
    kn, tc, kng = rng.randint(0, 12), rng.randint(0, 3), rng.randint(0, 60)
    kn_done = rng.randint(0, kn)
    surveyed = rng.random() < 0.6
    data: dict[str, Any] = {
        "so_ky_hieu": f"{rng.randint(10, 300)}/BC-{unit.code[:6]}",
        "ngay_bao_cao": f"{rng.randint(20, 30)}/04/{year}" if half else f"{rng.randint(1, 9):02d}/11/{year}",
        "nguoi_lap": rng.choice(["Nguyễn Thị Hồng Nhung", "Trần Văn Bình", "Lê Thị Mỹ Duyên", "Phạm Quốc Đạt"]),
        "pho_bien_chi_thi_33": rng.random() < 0.9,
        "so_van_ban_trien_khai": rng.randint(1, 8),
        "so_cuoc_tuyen_truyen": cuoc,
        "so_luot_nguoi_tham_du": cuoc * rng.randint(30, 160),
        "so_cuoc_vung_dtts": rng.randint(0, cuoc),
        "hinh_thuc_tuyen_truyen": rng.sample(["hoi_nghi", "truyen_thanh", "mang_xa_hoi", "pano"], rng.randint(1, 3)),
        "ket_qua_tuyen_truyen": f"Tổ chức {cuoc} cuộc tuyên truyền tại các ấp, khu phố.",
        "so_chuong_trinh_phoi_hop": rng.randint(0, 4),
        "co_khao_sat_hai_long": surveyed,
        "ty_le_hai_long": round(rng.uniform(72, 99), 1) if surveyed else None,
        "so_mo_hinh_dang_ky": dk,
        "so_mo_hinh_cong_nhan": rng.randint(0, dk),
        "so_mo_hinh_hieu_qua": rng.randint(0, dk),
        "co_quy_che_dan_chu": True,
        "so_hoi_nghi_dan_chu": rng.randint(0, 4),
        "so_noi_dung_cong_khai": rng.randint(3, 25),
        "tthc_tiep_nhan": tiep,
        "tthc_truc_tuyen": rng.randint(0, tiep),
        "tthc_dung_han": dung,
        "tthc_tre_han": tre,
        "tthc_ra_soat": rng.randint(0, 6),
        "so_vi_pham_cong_vu": rng.choice([0, 0, 0, 1]),
        "luot_tiep_cong_dan": (luot := rng.randint(5, 80)),
        "luot_nguoi_dung_dau_tiep": rng.randint(0, luot),
        "so_cuoc_doi_thoai": rng.randint(0, 4),
        "khieu_nai_tiep_nhan": kn, "khieu_nai_da_giai_quyet": kn_done,
        "khieu_nai_qua_han": rng.randint(0, kn - kn_done),
        "to_cao_tiep_nhan": tc, "to_cao_da_giai_quyet": rng.randint(0, tc),
        "kien_nghi_tiep_nhan": kng, "kien_nghi_da_giai_quyet": rng.randint(0, kng),
        "so_cuoc_kiem_tra": rng.randint(0, 5), "so_don_vi_duoc_kiem_tra": rng.randint(0, 8),
        "tao_dieu_kien_giam_sat": rng.random() < 0.8,
        "ket_qua_dat_duoc": f"{unit.name}: công tác dân vận chính quyền có chuyển biến; "
                            f"{round(100 * dung / (dung + tre), 1) if dung + tre else 100}% hồ sơ đúng hạn.",
        "ton_tai_han_che": "Một số ấp còn lúng túng khi tổ chức đối thoại với Nhân dân.",
        "nguyen_nhan": "Cán bộ kiêm nhiệm nhiều việc, chưa được tập huấn kỹ năng.",
        "phuong_huong": "Tập huấn kỹ năng dân vận cho cán bộ cơ sở; nhân rộng mô hình hiến đất làm đường.",
        "de_xuat_kien_nghi": rng.choice(["Đề nghị hỗ trợ kinh phí in tài liệu tuyên truyền song ngữ.", None]),
    }
    if rng.random() < 0.5:
        data["hoat_dong_noi_bat"] = [{"ngay": f"15/03/{year}", "noi_dung": "Hội nghị phổ biến Chỉ thị 33",
                                      "so_nguoi": rng.randint(30, 200)}]
    return data


def _self_assessment(rng: random.Random, form: Any, unit: Any) -> dict[str, Any]:
    level = rng.uniform(0.45, 1.0)
    data: dict[str, Any] = {"co_vi_pham_nghiem_trong": False, "nguoi_lap": "Trần Văn Bình", "ngay_lap": "02/11/2026",
                            "nhan_xet": f"{unit.name} hoàn thành nhiệm vụ."}
    for f in form.score_fields():
        data[f.name] = round(min(f.max_score, max(0, f.max_score * rng.uniform(level - 0.15, level + 0.1))) * 2) / 2
        data[f.evidence_name] = f"Văn bản số {rng.randint(1, 99)}/KH-UBND"
    return data


def _model(rng: random.Random, unit: Any, n: int) -> dict[str, Any]:
    collective = rng.random() < 0.7
    return {
        "ten_mo_hinh": f"Mô hình “Dân vận khéo” số {n} của {unit.name}",
        "linh_vuc": rng.choice(["kinh_te", "van_hoa_xa_hoi", "nong_thon_moi", "cai_cach_hanh_chinh"]),
        "loai_hinh": "tap_the" if collective else "ca_nhan",
        "ten_tap_the": f"Ban Nhân dân ấp {n}" if collective else None,
        "ho_ten_ca_nhan": None if collective else "Nguyễn Văn An",
        "thuc_trang_ly_do": "Đường liên ấp hẹp, mùa mưa lầy lội.",
        "muc_tieu": "Mở rộng đường liên ấp.",
        "noi_dung_cach_lam": "Cán bộ đến từng hộ vận động; công khai thiết kế.",
        "dia_ban": unit.name,
        "so_nguoi_huong_loi": rng.randint(50, 3000),
        "luc_luong_chu_tri": "Ban Nhân dân ấp",
        "nguon_luc": [{"nguon": "ngan_sach", "so_tien": rng.randint(50, 900)},
                      {"nguon": "nhan_dan", "so_tien": round(rng.uniform(10, 500), 1)}],
        "ngay_bat_dau": "01/03/2026",
        "ngay_ket_thuc_du_kien": "30/11/2026",
        "ket_qua_kiem_chung": f"{rng.randint(10, 60)} hộ hiến đất.",
        "kha_nang_nhan_rong": rng.choice(["cao", "trung_binh", "thap"]),
        "cap_cong_nhan": rng.choice(["chua", "xa", "huyen", "tinh"]),
    }


@dataclass
class Filled:
    """The filled store and what the tests should find in the workbooks."""

    catalog: Any
    store: Store
    data_dir: Path
    clock: Clock
    missing: dict[str, set[str]] = field(default_factory=dict)    # period -> unit codes not submitted
    late: dict[str, set[str]] = field(default_factory=dict)
    correction: str = ""
    adjusted: dict[str, dict[str, float]] = field(default_factory=dict)
    ineligible: str = ""
    formula_unit: str = ""


def fill_store(catalog: Any, data_dir: Path, seed: int = 33) -> Filled:
    clock = Clock()
    store = Store.open(data_dir=data_dir, validator=catalog.validator, clock=clock)
    store.migrate()
    store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
    rng = random.Random(seed)
    sys_actor = store.system_actor()
    units = catalog.organisation.reporting_units()
    filled = Filled(catalog, store, data_dir, clock)
    attempt = iter(range(1, 10_000))

    def submit(unit: Any, period: str, data: dict, item: str = "") -> None:
        form = catalog.form_for(period)
        store.submit(sys_actor, unit.code, form.id, period, data, template_version=form.version,
                     attempt_id=f"t-{seed}-{next(attempt)}", item=item)

    last_year = random.Random(seed + 2025)   # its own stream, so this year's data stays as it was
    for unit in units:   # last year's annual report: the consolidated 2026 report compares with it
        clock.at(2025, 11, 5, 9)
        submit(unit, "2025-nam", {**_report(last_year, unit, 2025, False), "ngay_bao_cao": "05/11/2025"})
    for period, due, half in (("2026-6t", date(2026, 5, 5), True), ("2026-nam", date(2026, 11, 10), False)):
        order = units[:]
        rng.shuffle(order)
        missing, late = set(u.code for u in order[:2]), set(u.code for u in order[2:6])
        filled.missing[period], filled.late[period] = missing, late
        for i, unit in enumerate(order[2:]):
            when = (due + timedelta(days=rng.randint(1, 9)) if unit.code in late
                    else due - timedelta(days=rng.randint(0, 12)))
            clock.at(when.year, when.month, when.day, 8 + i % 9, 5 * (i % 12))
            data = _report(rng, unit, 2026, half)
            data["ngay_bao_cao"] = when.strftime("%d/%m/%Y")  # a report is dated on or before the day it is sent
            if period == "2026-6t" and not filled.formula_unit:
                data["ton_tai_han_che"] = FORMULA_TEXT
                data["de_xuat_kien_nghi"] = PLUS_TEXT
                filled.formula_unit = unit.code
            submit(unit, period, data)
        clock.at(due.year, due.month, due.day + 1 if due.day < 28 else due.day, 15)
        if period == "2026-6t":
            filled.correction = order[6].code
            store.review(sys_actor, order[6].code, "bao-cao-dinh-ky", period, state="needs_correction",
                         comment="Số liệu tiếp công dân chưa khớp sổ theo dõi; đề nghị rà soát lại.")
            for unit in order[7:12]:
                store.review(sys_actor, unit.code, "bao-cao-dinh-ky", period, state="approved")
    tcd_form = catalog.form_for("2026-tcd")
    order = units[:]
    rng.shuffle(order)
    filled.missing["2026-tcd"] = {u.code for u in order[:3]}
    filled.late["2026-tcd"] = {order[3].code}
    for i, unit in enumerate(order[3:]):
        clock.at(2026, 11, 12 if i == 0 else 3 + i % 7, 10)
        data = _self_assessment(rng, tcd_form, unit)
        if i == 5:
            data["co_vi_pham_nghiem_trong"] = True
            filled.ineligible = unit.code
        submit(unit, "2026-tcd", data)
    clock.at(2026, 11, 15, 10)
    for unit in order[4:9]:
        if unit.code == filled.ineligible:
            continue
        adjusted = {"tc_2_2": 6.0, "tc_4_1": 5.5}
        filled.adjusted[unit.code] = adjusted
        store.review(sys_actor, unit.code, "tu-cham-diem", "2026-tcd", state="approved", adjusted_scores=adjusted)
    clock.at(2026, 6, 20, 10)
    order = units[:]
    rng.shuffle(order)
    filled.missing["2026-dvk"] = {u.code for u in order[15:]}
    for unit in order[:15]:
        for n in range(1, rng.randint(1, 3) + 1):
            submit(unit, "2026-dvk", _model(rng, unit, n), item=str(n))
    clock.at(TODAY.year, TODAY.month, TODAY.day, 10)
    return filled


@dataclass
class Books:
    """Workbooks built once from the filled store."""

    folder: Path
    consolidated: dict[str, Path]
    unit_copies: dict[str, Path]
    province: Path
    data: dict[str, Any]


class LibreOffice:
    """Headless LibreOffice with its own profiles: one recalculates formulas on load, one never does."""

    def __init__(self, root: Path):
        self.root = root
        for name, mode in (("recalc", 0), ("cached", 1)):
            user = root / name / "user"
            user.mkdir(parents=True)
            (user / "registrymodifications.xcu").write_text(
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
                'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
                '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
                f'<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>\n'
                '</oor:items>\n', encoding="utf-8")

    def convert(self, paths: list[Path], to: str, out: Path, *, recalc: bool = True) -> subprocess.CompletedProcess:
        profile = (self.root / ("recalc" if recalc else "cached")).as_uri()
        target = "pdf" if to == "pdf" else \
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
        out.mkdir(parents=True, exist_ok=True)
        return subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                               "--convert-to", target, "--outdir", str(out), *map(str, paths)],
                              capture_output=True, text=True, timeout=180,
                              env={**os.environ, "HOME": str(self.root)})
