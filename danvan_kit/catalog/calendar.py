"""Reporting periods, their opening days and deadlines, configured per year in YAML.

A period opens on its `opens:` day (dd/mm of its year; default 01/01, the start of
the year it reports on). Before that day a unit is not offered the period and the
store refuses its drafts and submits (`Period.is_open`, `Calendar.offered`);
analysts still see it to prepare it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from ..forms.filetypes import Check, FromFile
from ..forms.template_error import TemplateError
from ..forms.yamlfile import load_model, read_yaml

__all__ = ["Period", "Calendar", "load_calendar", "PERIOD_KINDS"]

PeriodKind = Literal["six_month", "annual", "self_assessment", "models"]

PERIOD_KINDS: dict[str, str] = {
    "six_month": "Báo cáo 6 tháng",
    "annual": "Báo cáo năm",
    "self_assessment": "Tự chấm điểm, xếp loại",
    "models": "Mô hình Dân vận khéo",
}


DayMonth = Annotated[str, Check(pattern=r"^\d{2}/\d{2}$")]


@dataclass(kw_only=True)
class _Entry(FromFile):
    key: Annotated[str, Check(pattern=r"^[a-z0-9]+$")]
    kind: PeriodKind
    title: str
    form: str
    due: DayMonth
    opens: DayMonth | None = None


@dataclass(kw_only=True)
class _CalendarFile(FromFile):
    years: Annotated[list[int], Check(min_length=1)]
    each_year: Annotated[list[_Entry], Check(min_length=1)]
    overrides: dict[int, dict[str, dict[str, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for y in self.years:
            if not 2000 <= y <= 2100:
                raise ValueError(f"năm {y} không hợp lệ")


@dataclass(frozen=True)
class Period:
    """One reporting period: e.g. id '2026-6t', due 05/05/2026, form 'bao-cao-dinh-ky'."""

    id: str
    year: int
    kind: PeriodKind
    title: str
    form: str
    due: date
    opens: date  # no unit drafts or submits before this day

    def is_open(self, today: date) -> bool:
        """Units may fill and submit this period from its opening day on."""
        return today >= self.opens

    def days_late(self, when: date) -> int:
        """Days after the due date (0 when on time)."""
        return max(0, (when - self.due).days)

    @property
    def per_item(self) -> bool:
        """Filed once per registered model ("Dân vận khéo"), each with its own number, not once per unit."""
        return self.kind == "models"

    @property
    def shown_in_annual(self) -> bool:
        """Self-assessment and models are shown again in the same year's annual report."""
        return self.kind in ("self_assessment", "models")


@dataclass(frozen=True)
class Calendar:
    """All periods, in date order."""

    periods: tuple[Period, ...]

    def get(self, period_id: str) -> Period:
        for p in self.periods:
            if p.id == period_id:
                return p
        raise KeyError(period_id)

    def offered(self, today: date, analyst: bool) -> list[Period]:
        """The periods a person may pick: every one for an analyst, the opened ones for a unit."""
        return [p for p in self.periods if analyst or p.is_open(today)]

    def for_year(self, year: int) -> list[Period]:
        return [p for p in self.periods if p.year == year]

    def annual(self, year: int) -> Period | None:
        """The annual report period of a year."""
        return next((p for p in self.periods if p.year == year and p.kind == "annual"), None)

    def companions(self, period: Period) -> list[Period]:
        """For an annual report: the same year's self-assessment and model periods it shows again."""
        if period.kind != "annual":
            return []
        return [p for p in self.for_year(period.year) if p.shown_in_annual]

    def shown_in(self, period: Period) -> list[Period]:
        """The periods whose outputs show this period's data: itself, and the year's annual for a companion."""
        annual = self.annual(period.year) if period.shown_in_annual else None
        return [period] + ([annual] if annual is not None else [])

    def previous(self, period: Period) -> Period | None:
        """The same kind of period one year earlier (the "cùng kỳ năm trước"), if the calendar has it."""
        return next((p for p in self.periods if p.kind == period.kind and p.year == period.year - 1), None)


def _day(path: Path, where: str, text: str, year: int, what: str = "hạn") -> date:
    try:
        day, month = (int(x) for x in text.split("/"))
        return date(year, month, day)
    except ValueError:
        raise TemplateError(path, [(where, f"{what} {text!r} không phải ngày hợp lệ (dd/mm) của năm {year}")]) from None


def load_calendar(path: str | Path) -> Calendar:
    """Expand the calendar file into concrete periods; TemplateError names file and field."""
    path = Path(path)
    data = read_yaml(path)
    spec = load_model(path, _CalendarFile, data)
    keys = [e.key for e in spec.each_year]
    if len(set(keys)) != len(keys):
        raise TemplateError(path, [("each_year", "có khóa (key) bị trùng")])
    periods = []
    for year in spec.years:
        over = spec.overrides.get(year, {})
        for name in over:
            if name not in keys:
                raise TemplateError(path, [(f"overrides.{year}.{name}", "không có kỳ báo cáo với khóa này")])
        for entry in spec.each_year:
            fields = asdict(entry) | over.get(entry.key, {})
            where = f"overrides.{year}.{entry.key}" if entry.key in over else f"each_year ({entry.key})"
            due = _day(path, where + ".due", fields["due"], year)
            opens = (_day(path, where + ".opens", fields["opens"], year, "ngày mở")
                     if fields.get("opens") else date(year, 1, 1))
            if opens > due:
                raise TemplateError(path, [(where + ".opens", f"ngày mở {opens:%d/%m/%Y} sau hạn nộp {due:%d/%m/%Y}")])
            periods.append(Period(
                id=f"{year}-{entry.key}", year=year, kind=entry.kind,
                title=fields["title"].format(year=year), form=fields["form"], due=due, opens=opens,
            ))
    periods.sort(key=lambda p: (p.due, p.id))
    return Calendar(periods=tuple(periods))
