"""Word test data: the Excel tests' filled store (tests/excel/excelfill.py, reused) with last year's annual
reports and one unit's hostile narrative added."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "excel"))

from excelfill import TODAY, Filled  # noqa: E402

HOSTILE = ("Đã ghi {{ 7 * 7 }} và {% if true %}X{% endif %} và {_{ a }_} {_% b %_} "
           '<w:fldSimple w:instr="PAGE"/> &amp; =HYPERLINK("http://x") ${PAGE} '
           "{ PAGE } \\* MERGEFORMAT ]]> <![CDATA[ x")
HOSTILE_UNIT = "XA-AN-PHU"
LAST_YEAR = {"XA-AN-PHU": 7, "XA-TAN-QUAN": 11, "TT-TAN-KHAI": 5}  # so_cuoc_kiem_tra in 2025's annual report


@dataclass
class Docs:
    filled: Filled
    folder: Path
    unit: Path            # the hostile unit's 2026 annual report
    unit_data: dict
    district: Path        # 2026-nam consolidated
    district_6t: Path
    notice: Path          # 2026-tcd
    reminder: Path        # 2026-6t: missing units and the one sent back
    gathered: Any         # PeriodData of 2026-nam with previous


def add_last_year_and_hostile(f: Filled) -> dict:
    from samples import REPORT_INPUT

    from danvan_kit.forms.engine import validate_submission

    actor = f.store.system_actor()
    form = f.catalog.form_for("2025-nam")
    for code, n in LAST_YEAR.items():
        f.clock.at(2025, 11, 3)
        clean = validate_submission(form, {**REPORT_INPUT, "so_cuoc_kiem_tra": str(n), "ngay_bao_cao": "03/11/2025"},
                                    today=date(2025, 11, 3)).data
        f.store.submit(actor, code, form.id, "2025-nam", clean, template_version=form.version,
                       attempt_id=f"word-2025-{code}")
    f.clock.at(2026, 11, 19)
    raw = {**REPORT_INPUT, "ngay_bao_cao": "19/11/2026", "so_ky_hieu": "58/BC-UBND",
           "ton_tai_han_che": HOSTILE, "ket_qua_dat_duoc": "Đoạn một của kết quả.\nĐoạn hai: 98% hồ sơ đúng hạn.",
           "ket_qua_tuyen_truyen": "Tuyên truyền tại ấp Sóc Lớn (đồng bào S\u0301tiêng)."}
    clean = validate_submission(f.catalog.form_for("2026-nam"), raw, today=date(2026, 11, 19)).data
    assert clean is not None
    f.store.submit(actor, HOSTILE_UNIT, "bao-cao-dinh-ky", "2026-nam", clean, template_version=1,
                   attempt_id="word-hostile")
    f.clock.at(TODAY.year, TODAY.month, TODAY.day, 10)
    return clean
