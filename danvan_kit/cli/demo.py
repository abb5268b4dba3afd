"""Demo data for `danvan init --demo`: last year for every unit and part of this year.

Everything is written through the store's normal API (drafts, submits, model
numbers, reviews) with the store's clock set to the day each thing happens, so
"on time" and "late" are the store's own verdict. Figures come from one seeded
random generator per (period, unit): the same store gets the same data. Each
narrative starts with DEMO_NOTE, and a system audit entry (action "demo_data")
marks the store, which is also what makes a second run add nothing.
Never called for a store made without --demo.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from ..settings import VN_TZ, local_date

__all__ = ["DEMO_NOTE", "DEMO_ACTION", "DemoSummary", "fill_demo", "has_demo"]

DEMO_NOTE = "[Dữ liệu minh họa] "
DEMO_ACTION = "demo_data"
SEED = 33  # Chỉ thị 33
CURRENT_YEAR_SHARE = 0.7  # share of units that already filed this year's annual report and self-assessment
NEXT_DEADLINE_SHARE = 0.5  # share of units that filed early for the next deadline
LATE_SHARE = 0.15

_PEOPLE = ["Nguyễn Thị Hồng Nhung", "Trần Văn Bình", "Lê Thị Thu Hà", "Phạm Minh Tuấn", "Hoàng Văn Nam",
           "Đỗ Thị Mai", "Vũ Đức Long", "Điểu Thị Hoa", "Thị Bích", "Ngô Quốc Hùng", "Bùi Thị Lan"]
_GAINS = ["chuyển biến rõ trong giải quyết thủ tục hành chính", "tỷ lệ hồ sơ trực tuyến tăng",
          "đối thoại với Nhân dân được tổ chức định kỳ", "không để xảy ra khiếu kiện đông người"]
_LIMITS = ["Một số cán bộ kiêm nhiệm nhiều việc, chưa được tập huấn kỹ năng dân vận.",
           "Tỷ lệ hồ sơ nộp trực tuyến ở vùng sâu còn thấp.",
           "Việc cập nhật kết quả giải quyết đơn thư còn chậm."]
_MODELS = [
    ("Dân vận khéo trong vận động Nhân dân hiến đất làm đường giao thông nông thôn", "nong_thon_moi"),
    ("Tổ hòa giải ở cơ sở gắn với tiếp công dân tại ấp", "xay_dung_htct"),
    ("Một cửa thân thiện: hướng dẫn người cao tuổi nộp hồ sơ trực tuyến", "cai_cach_hanh_chinh"),
    ("Vận động đồng bào S’tiêng trồng cao su theo tổ hợp tác", "kinh_te"),
    ("Ấp văn hóa không rác thải nhựa", "van_hoa_xa_hoi"),
    ("Dân quân tự vệ giúp dân thu hoạch mùa vụ", "quoc_phong_an_ninh"),
]


@dataclass
class DemoSummary:
    """What one run wrote (all zero when the store already had the demo)."""

    submitted: int = 0
    late: int = 0
    models: int = 0
    reviews: int = 0
    periods: list[str] = field(default_factory=list)
    already: bool = False


class _Clock:
    """The store's clock, set by the demo to the moment each action happens."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        return self.at or datetime.now(timezone.utc)


def has_demo(store: Any) -> bool:
    """Whether the store already holds the demo data (its audit entry)."""
    return any(e.action == DEMO_ACTION for e in store.audit(store.system_actor(), limit=5, outcome="demo"))


def _moment(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of a Vietnamese day, as the store keeps it (UTC)."""
    local = datetime.combine(day, time(rng.randint(7, 16), rng.randint(0, 59)), VN_TZ)
    return local.astimezone(timezone.utc)


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _size(unit: Any) -> float:
    """How busy a unit is: communes and towns receive far more files than a district office."""
    return {"town": 1.6, "commune": 1.0, "district_office": 0.35, "party_body": 0.25,
            "mass_body": 0.25}.get(unit.kind, 0.5)


def _report(unit: Any, year: int, half: bool, day: date, rng: random.Random) -> dict[str, Any]:
    """A periodic report's answers: bigger for the whole year, a little better than the year before."""
    k = _size(unit) * (0.5 if half else 1.0) * (1.0 + 0.08 * (year - 2025)) * rng.uniform(0.8, 1.25)
    n = lambda base: max(0, round(base * k * rng.uniform(0.85, 1.15)))  # noqa: E731
    meetings = max(1, n(14))
    files = n(1800)
    late_files = round(files * rng.uniform(0.003, 0.03))
    on_time = files - late_files - n(20)
    complaints, denounce, petitions = n(8), n(1), n(40)
    done = lambda total: total - (rng.randint(0, min(2, total)) if total else 0)  # noqa: E731
    survey = rng.random() < 0.7
    registered = rng.randint(1, 4)
    recognised = rng.randint(0, registered)
    what = f"{'6 tháng đầu năm' if half else 'năm'} {year}"
    answers: dict[str, Any] = {
        "so_ky_hieu": f"{rng.randint(20, 240)}/BC-{'UBND' if unit.kind in ('commune', 'town') else 'VP'}",
        "ngay_bao_cao": _dmy(day - timedelta(days=rng.randint(0, 3))),
        "nguoi_lap": rng.choice(_PEOPLE),
        "dien_thoai": f"0271 3 6{rng.randint(10, 99)} {rng.randint(100, 999)}",
        "pho_bien_chi_thi_33": True,
        "so_van_ban_trien_khai": rng.randint(1, 8),
        "so_cuoc_tuyen_truyen": meetings,
        "so_luot_nguoi_tham_du": meetings * rng.randint(40, 110),
        "so_cuoc_vung_dtts": rng.randint(0, meetings),
        "hinh_thuc_tuyen_truyen": rng.sample(["hoi_nghi", "truyen_thanh", "mang_xa_hoi", "pano"], 2),
        "ket_qua_tuyen_truyen": f"{DEMO_NOTE}Tổ chức {meetings} cuộc tuyên truyền Chỉ thị 33 trong {what}, "
                                f"chú trọng các ấp có đông đồng bào dân tộc thiểu số.",
        "so_chuong_trinh_phoi_hop": rng.randint(1, 5),
        "co_khao_sat_hai_long": survey,
        "ty_le_hai_long": round(rng.uniform(84, 97), 1) if survey else None,
        "so_mo_hinh_dang_ky": registered,
        "so_mo_hinh_cong_nhan": recognised,
        "so_mo_hinh_hieu_qua": rng.randint(recognised, registered),
        "co_quy_che_dan_chu": rng.random() < 0.9,
        "so_hoi_nghi_dan_chu": rng.randint(1, 4),
        "so_noi_dung_cong_khai": n(18),
        "tthc_tiep_nhan": files,
        "tthc_truc_tuyen": round(files * rng.uniform(0.35, 0.75)),
        "tthc_dung_han": max(0, on_time),
        "tthc_tre_han": late_files,
        "luot_tiep_cong_dan": n(50),
        "so_cuoc_doi_thoai": rng.randint(0, 4),
        "khieu_nai_tiep_nhan": complaints,
        "khieu_nai_da_giai_quyet": done(complaints),
        "khieu_nai_qua_han": 0,
        "to_cao_tiep_nhan": denounce,
        "to_cao_da_giai_quyet": denounce,
        "kien_nghi_tiep_nhan": petitions,
        "kien_nghi_da_giai_quyet": done(petitions),
        "so_cuoc_kiem_tra": rng.randint(1, 4),
        "so_don_vi_duoc_kiem_tra": rng.randint(1, 8),
        "tao_dieu_kien_giam_sat": True,
        "ket_qua_dat_duoc": f"{DEMO_NOTE}Công tác dân vận chính quyền {what} có {rng.choice(_GAINS)}.",
        "ton_tai_han_che": f"{DEMO_NOTE}{rng.choice(_LIMITS)}",
        "nguyen_nhan": f"{DEMO_NOTE}Biên chế ít, địa bàn rộng, một bộ phận Nhân dân chưa quen dịch vụ công trực tuyến.",
        "phuong_huong": f"{DEMO_NOTE}Tiếp tục đẩy mạnh tuyên truyền, nhân rộng mô hình “Dân vận khéo”.",
    }
    answers["luot_nguoi_dung_dau_tiep"] = rng.randint(0, answers["luot_tiep_cong_dan"])
    return answers


def _self_assessment(form: Any, day: date, rng: random.Random, year: int) -> dict[str, Any]:
    """Scores per criterion (most units good or fair), with evidence for each."""
    level = rng.choice([0.95, 0.88, 0.82, 0.75, 0.68]) + 0.02 * (year - 2025)
    answers: dict[str, Any] = {"co_vi_pham_nghiem_trong": False}
    for f in form.all_fields():
        if f.max_score:
            score = min(f.max_score, round(f.max_score * min(1.0, level * rng.uniform(0.9, 1.1)) * 2) / 2)
            answers[f.name] = score
            answers[f.evidence_name] = f"{DEMO_NOTE}Kế hoạch, báo cáo số {rng.randint(5, 150)}/KH-UBND năm {year}"
    answers.update(nhan_xet=f"{DEMO_NOTE}Đơn vị hoàn thành nhiệm vụ; cần nâng tỷ lệ hồ sơ trực tuyến.",
                   nguoi_lap=rng.choice(_PEOPLE), ngay_lap=_dmy(day))
    return answers


def _model(unit: Any, year: int, number: int, day: date, rng: random.Random) -> dict[str, Any]:
    name, area = _MODELS[(rng.randrange(len(_MODELS)) + number) % len(_MODELS)]
    start = date(year, rng.randint(1, 3), rng.randint(1, 28))
    return {
        "ten_mo_hinh": name, "linh_vuc": area, "loai_hinh": "tap_the", "ten_tap_the": f"Ban Nhân dân ấp {number}",
        "thuc_trang_ly_do": f"{DEMO_NOTE}Nhu cầu của Nhân dân trên địa bàn {unit.name} còn lớn.",
        "muc_tieu": f"{DEMO_NOTE}Hoàn thành trong năm {year}, Nhân dân đồng thuận.",
        "noi_dung_cach_lam": f"{DEMO_NOTE}Cán bộ đến từng hộ vận động; công khai; Nhân dân giám sát.",
        "dia_ban": unit.name, "doi_tuong_thu_huong": "Nhân dân trên địa bàn",
        "so_nguoi_huong_loi": rng.randint(150, 2500), "luc_luong_chu_tri": "Ban Nhân dân ấp",
        "nguon_luc": [{"nguon": "ngan_sach", "so_tien": rng.randint(50, 900)},
                      {"nguon": "nhan_dan", "so_tien": rng.randint(20, 600)}],
        "ngay_bat_dau": _dmy(min(start, day)),
        "ket_qua_kiem_chung": f"{DEMO_NOTE}{rng.randint(20, 80)} hộ tham gia; đã nghiệm thu giai đoạn 1.",
        "kha_nang_nhan_rong": rng.choice(["cao", "trung_binh"]),
        "cap_cong_nhan": "chua",
    }


class _Writer:
    """Writes one period after another through the store, moving its clock."""

    def __init__(self, store: Any, catalog: Any, clock: _Clock, today: date, summary: DemoSummary):
        self.store, self.catalog, self.clock, self.today, self.summary = store, catalog, clock, today, summary
        accounts = [a for a in store.list_accounts() if a.active]
        self.analyst = next(a for a in accounts if a.role == "analyst")
        self.units = {u.code: u for u in catalog.organisation.reporting_units()}
        self.logins = {a.unit_code: a for a in sorted(accounts, key=lambda a: a.login) if a.role == "unit"}

    def submit(self, unit: Any, period: Any, data: dict[str, Any], day: date, rng: random.Random,
               item: str = "", attempt: int = 1) -> None:
        form = self.catalog.form_for(period.id)
        self.clock.at = _moment(day, rng)
        result = self.store.submit(self.logins[unit.code], unit.code, form.id, period.id, data,
                                   template_version=form.version, item=item,
                                   attempt_id=f"demo-{period.id}-{unit.code}-{item}-{attempt}")
        self.summary.submitted += 1
        self.summary.late += not result.on_time

    def review(self, unit: Any, period: Any, day: date, rng: random.Random, state: str, comment: str = "",
               scores: dict[str, float] | None = None, item: str = "") -> None:
        form = self.catalog.form_for(period.id)
        self.clock.at = _moment(day, rng)
        self.store.review(self.analyst, unit.code, form.id, period.id, state=state, comment=comment,
                          adjusted_scores=scores, item=item)
        self.summary.reviews += 1

    def period(self, period: Any, share: float) -> None:
        form = self.catalog.form_for(period.id)
        wrote = False
        for code in sorted(self.units):
            unit = self.units[code]
            if code not in self.logins:
                continue
            rng = random.Random(f"{SEED}-{period.id}-{code}")
            if rng.random() >= share:
                continue
            late = rng.random() < LATE_SHARE
            day = period.due + timedelta(days=rng.randint(1, 12) if late else -rng.randint(0, 25))
            if day >= self.today and period.due >= self.today:  # the next deadline: some filed early
                day = self.today - timedelta(days=1 + rng.randint(0, 20))
            if day >= self.today or day < period.opens:  # nothing in the future, nor today (the real clock's)
                continue
            wrote = True
            if period.kind == "models":
                self._models(unit, period, day, rng)
            elif period.kind == "self_assessment":
                self.submit(unit, period, _self_assessment(form, day, rng, period.year), day, rng)
                if day + timedelta(days=5) < self.today:
                    scores = {f.name: max(0.0, f.max_score - rng.choice([0, 0, 0.5, 1]))
                              for f in form.all_fields() if f.max_score and rng.random() < 0.3}
                    self.review(unit, period, day + timedelta(days=5), rng, "approved",
                                f"{DEMO_NOTE}Thẩm định: đạt.", scores or None)
            else:
                answers = _report(unit, period.year, period.kind == "six_month", day, rng)
                self.submit(unit, period, answers, day, rng)
                if day + timedelta(days=8) < self.today:
                    self._review_report(unit, period, day, rng, answers)
        if wrote:
            self.summary.periods.append(period.id)

    def _review_report(self, unit: Any, period: Any, day: date, rng: random.Random,
                       answers: dict[str, Any]) -> None:
        """Most reports received and approved; the first unit's annual report is sent back and corrected."""
        first = period.kind == "annual" and unit.code == min(self.units)
        if not first:
            self.review(unit, period, day + timedelta(days=4), rng, rng.choice(["received", "approved", "approved"]))
            return
        self.review(unit, period, day + timedelta(days=3), rng, "needs_correction",
                    f"{DEMO_NOTE}Số hồ sơ giải quyết đúng hạn và trễ hạn chưa khớp sổ theo dõi; đề nghị rà soát.")
        moved = min(3, answers["tthc_dung_han"])
        fixed = dict(answers, tthc_dung_han=answers["tthc_dung_han"] - moved,
                     tthc_tre_han=answers["tthc_tre_han"] + moved,
                     ket_qua_dat_duoc=f"{answers['ket_qua_dat_duoc']} Đã chỉnh số hồ sơ trễ hạn theo sổ theo dõi.")
        self.submit(unit, period, fixed, day + timedelta(days=6), rng, attempt=2)
        self.review(unit, period, day + timedelta(days=7), rng, "approved", f"{DEMO_NOTE}Đã chỉnh đúng, đồng ý.")

    def _models(self, unit: Any, period: Any, day: date, rng: random.Random) -> None:
        form = self.catalog.form_for(period.id)
        for _ in range(rng.randint(1, 2) if unit.kind in ("commune", "town") else 1):
            self.clock.at = _moment(day, rng)
            number = self.store.new_item(self.logins[unit.code], unit.code, form.id, period.id)
            self.submit(unit, period, _model(unit, period.year, int(number), day, rng), day, rng, item=number)
            self.summary.models += 1


def _demo_periods(calendar: Any, today: date) -> list[Any]:
    """Every period of last year; this year's periods already due, and those of the next deadline."""
    this_year = calendar.for_year(today.year)
    upcoming = [p.due for p in this_year if p.due >= today]
    chosen = calendar.for_year(today.year - 1) + [p for p in this_year if p.due < today or p.due == min(upcoming)]
    return sorted(chosen, key=lambda p: (p.due, p.id))


def _share(period: Any, today: date) -> float:
    """The share of units that filed the period: all of last year's; part of this year's."""
    if period.year < today.year:
        return 1.0
    if period.due >= today:
        return NEXT_DEADLINE_SHARE
    return 1.0 if period.kind in ("six_month", "models") else CURRENT_YEAR_SHARE


def fill_demo(store: Any, catalog: Any, clock: _Clock | None = None, today: date | None = None) -> DemoSummary:
    """Fill last year for every unit and this year up to `today` (part of the units), once per store.

    `store` must have been opened with `clock` (a `_Clock`: `demo_clock()`) and the catalog's
    validator, and hold the demo accounts. Returns what was written.
    """
    summary = DemoSummary()
    if has_demo(store):
        summary.already = True
        return summary
    if clock is None:
        raise ValueError("fill_demo needs the store's clock (open the store with clock=demo_clock())")
    today = today or local_date(datetime.now(timezone.utc))
    writer = _Writer(store, catalog, clock, today, summary)
    for period in _demo_periods(catalog.calendar, today):
        writer.period(period, _share(period, today))
    clock.at = None
    store.record_event(DEMO_ACTION, "demo",
                       f"Dữ liệu minh họa: {summary.submitted} báo cáo ({summary.late} trễ hạn), "
                       f"{summary.models} mô hình, {summary.reviews} lượt duyệt; kỳ {', '.join(summary.periods)}")
    return summary


def demo_clock() -> _Clock:
    """A clock to open the store with, which fill_demo moves to each demo moment."""
    return _Clock()
