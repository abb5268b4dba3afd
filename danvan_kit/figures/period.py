"""What a workbook shows, read from the store once: units, their latest submissions and reviews.

Builders take a `PeriodData` rather than the store, so the benchmark (and any
other source) can feed them national-scale data without a database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..settings import local_date, today_vn

__all__ = ["Entry", "UnitLine", "PeriodData", "gather", "document_date"]


@dataclass(frozen=True)
class Entry:
    """One unit's latest submitted revision for one item, with the latest review of it."""

    unit_code: str
    item: str
    data: dict[str, Any]
    template_version: int
    created_at: datetime | None
    on_time: bool | None
    days_late: int
    number: int
    review: Any = None  # store.ReviewInfo | None

    @property
    def current_review(self) -> Any:
        """The review if it is of this very revision (a later resubmission is not yet reviewed)."""
        r = self.review
        return r if r is not None and getattr(r, "revision_number", self.number) == self.number else None


@dataclass
class UnitLine:
    """A reporting unit in a period: its status row (None if not in the tree) and its entries."""

    code: str
    name: str
    status: Any = None  # store.StatusRow | None
    entries: list[Entry] = field(default_factory=list)


@dataclass
class PeriodData:
    """Everything one period's workbook needs."""

    period: Any            # periods.Period
    form: Any              # schema.FormTemplate used for the columns
    units: list[UnitLine]
    parent: str
    issuer: str
    place: str
    today: date
    forms: dict[int, Any] = field(default_factory=dict)   # template version -> FormTemplate
    companions: list["PeriodData"] = field(default_factory=list)
    source: str = ""       # the body this data covers (column header in province summaries)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)   # derived results, computed once
    previous: "PeriodData | None" = None   # the same period last year, when gathered with_previous
    letterhead: Any = None  # catalog.letterhead.Letterhead of the issuing body (the hub), when gathered from the tree

    @property
    def content(self) -> str:
        """What the period collects: "scores" (self-assessment), "models" (a register) or "report" (figures)."""
        if self.period.kind == "self_assessment" or self.form.scoring is not None:
            return "scores"
        return "models" if self.period.per_item else "report"

    def form_of(self, entry: Entry) -> Any:
        return self.forms.get(entry.template_version, self.form)

    @property
    def entries(self) -> list[tuple[UnitLine, Entry]]:
        return [(u, e) for u in self.units for e in u.entries]



def _covered(org: Any) -> str:
    """The body whose figures a consolidation covers (the hub's parent): the column header one level up."""
    hub = org.unit(org.hub)
    up = hub.reports_to[0] if hub.reports_to else None
    return org.unit(up).name if up in org.by_code else org.name


def gather(catalog: Any, store: Any, period_id: str, *, today: date | None = None,
           with_companions: bool = True, with_previous: bool = False) -> PeriodData:
    """Read a period's status, latest submissions and reviews from the store (as the system analyst).

    `with_previous` also reads the same period last year into `previous` (see figures.compare).
    """
    actor = store.system_actor()
    period = catalog.calendar.get(period_id)
    form = catalog.form_for(period)
    rows = store.status(actor, period_id)
    lines = {r.unit_code: UnitLine(r.unit_code, r.unit_name, r) for r in rows}
    order = [r.unit_code for r in rows]
    reviews = store.reviews(actor, period_id)
    for rev in store.submissions(actor, period_id):
        line = lines.get(rev.unit_code)
        if line is None:  # a unit no longer in the tree: its submission still shows
            name = catalog.organisation.by_code[rev.unit_code].name \
                if rev.unit_code in catalog.organisation.by_code else rev.unit_code
            line = lines[rev.unit_code] = UnitLine(rev.unit_code, name)
            order.append(rev.unit_code)
        review = reviews.get((rev.unit_code, rev.item))
        line.entries.append(Entry(rev.unit_code, rev.item, rev.data, rev.template_version, rev.created_at,
                                  rev.on_time, rev.days_late, rev.number, review))
    forms = {f.version: f for f in catalog.forms if f.id == form.id}
    from ..catalog.letterhead import letterhead

    body = letterhead(catalog.organisation)
    covered = _covered(catalog.organisation)
    data = PeriodData(period=period, form=form, units=[lines[c] for c in order], parent=covered, issuer=body.name,
                      place=body.place, today=today or today_vn(), forms=forms, source=covered, letterhead=body)
    if with_companions:
        data.companions = [gather(catalog, store, p.id, today=data.today, with_companions=False)
                           for p in catalog.calendar.companions(period)]
    before = catalog.calendar.previous(period) if with_previous else None
    if before is not None:
        data.previous = gather(catalog, store, before.id, today=data.today, with_companions=False)
    return data


_DATE_FIELDS = ("ngay_bao_cao", "ngay_lap")


def document_date(data: dict, submitted_at: datetime | None) -> date:
    """A unit's document date: its own 'Ngày báo cáo' when given, else the day it was submitted (Vietnam time).

    One rule for the unit's Excel copy and its Word report.
    """
    for name in _DATE_FIELDS:
        value = data.get(name)
        if value:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                pass
    return local_date(submitted_at) if submitted_at is not None else today_vn()
