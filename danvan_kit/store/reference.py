"""Reference data in the store: units (organisation tree), periods, form templates.

Loaded from the templates by `danvan init`; upserted, never deleted (units that
leave the tree are marked inactive: their submissions stay readable).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ..forms.text import format_date, to_nfc
from .errors import StoreError
from .tables import form_templates, periods, revisions, submissions, units

__all__ = ["dialect_insert", "upsert_reference", "Reference", "read_reference", "form_tuple", "unopened_message"]


def dialect_insert(conn: Connection, table):
    """INSERT with ON CONFLICT support for the connection's dialect (imported only for that dialect)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def form_tuple(form: Any) -> tuple[str, int, str, str]:
    """(id, version, title, source_text) from a FormTemplate-like object or a tuple."""
    if isinstance(form, (tuple, list)):
        form_id, version, title, source = form
    else:
        form_id, version, title, source = form.id, form.version, form.title, form.source_text
    return to_nfc(str(form_id)), int(version), to_nfc(str(title)), to_nfc(str(source))


def upsert_reference(conn: Connection, organisation: Any, calendar: Any, forms: Iterable[Any],
                     now: datetime) -> dict[str, int]:
    """Upsert units, periods and form templates; returns counts of what was loaded."""
    codes = []
    for unit in organisation.units:
        row = dict(code=unit.code, name=to_nfc(unit.name), kind=unit.kind, reports=bool(unit.reports),
                   reports_to=list(unit.reports_to), org_id=organisation.id, active=True, updated_at=now)
        stmt = dialect_insert(conn, units).values(**row)
        conn.execute(stmt.on_conflict_do_update(index_elements=["code"],
                                                set_={k: v for k, v in row.items() if k != "code"}))
        codes.append(unit.code)
    conn.execute(update(units).where(units.c.code.not_in(codes)).values(active=False, updated_at=now))
    for period in calendar.periods:
        row = dict(id=period.id, year=period.year, kind=period.kind, title=to_nfc(period.title),
                   form_id=period.form, due=period.due, opens=period.opens)
        stmt = dialect_insert(conn, periods).values(**row)
        conn.execute(stmt.on_conflict_do_update(index_elements=["id"],
                                                set_={k: v for k, v in row.items() if k != "id"}))
    count = 0
    for form in forms:
        form_id, version, title, source = form_tuple(form)
        _upsert_form(conn, form_id, version, title, source, now)
        count += 1
    return {"units": len(codes), "periods": len(calendar.periods), "forms": count}


def _upsert_form(conn: Connection, form_id: str, version: int, title: str, source: str,
                 now: datetime) -> None:
    key = (form_templates.c.form_id == form_id) & (form_templates.c.version == version)
    old = conn.execute(select(form_templates.c.source_text, form_templates.c.title).where(key)).first()
    if old is None:
        conn.execute(form_templates.insert().values(form_id=form_id, version=version, title=title,
                                                    source_text=source, loaded_at=now))
        return
    if old.source_text == source and old.title == title:
        return
    used = conn.execute(
        select(revisions.c.id).join(submissions, submissions.c.id == revisions.c.submission_id)
        .where(submissions.c.form_id == form_id, revisions.c.template_version == version).limit(1)
    ).first()
    if used is not None:
        raise StoreError(
            f"Mẫu biểu {form_id!r} phiên bản {version} đã có báo cáo nộp theo nội dung cũ, nay nội dung "
            f"mẫu đã khác: hãy tăng số phiên bản (version) của mẫu thay vì sửa phiên bản {version}."
        )
    conn.execute(form_templates.update().where(key).values(title=title, source_text=source, loaded_at=now))


def unopened_message(title: str, opens: date, what: str) -> str:
    """Why nothing can be `what` ("nộp báo cáo", "lưu nháp") for a period before it opens, in Vietnamese."""
    return f"Kỳ «{title}» chưa mở: từ ngày {format_date(opens)} mới {what} được cho kỳ này."


@dataclass(frozen=True)
class UnitRef:
    code: str
    name: str
    reports: bool
    active: bool


@dataclass(frozen=True)
class PeriodRef:
    id: str
    title: str
    form_id: str
    due: date
    opens: date  # units may not draft or submit before this day (catalog.calendar.Period.opens)

    def is_open(self, today: date) -> bool:
        """The same rule as catalog.calendar.Period.is_open, on the stored period."""
        return today >= self.opens


@dataclass(frozen=True)
class Reference:
    units: dict[str, UnitRef]
    periods: dict[str, PeriodRef]
    forms: frozenset[tuple[str, int]]


def read_reference(conn: Connection) -> Reference:
    return Reference(
        units={r.code: UnitRef(r.code, r.name, r.reports, r.active)
               for r in conn.execute(select(units.c.code, units.c.name, units.c.reports, units.c.active))},
        periods={r.id: PeriodRef(r.id, r.title, r.form_id, r.due, r.opens or date(r.year, 1, 1))
                 for r in conn.execute(select(periods.c.id, periods.c.title, periods.c.form_id, periods.c.due,
                                              periods.c.opens, periods.c.year))},
        forms=frozenset((r.form_id, r.version)
                        for r in conn.execute(select(form_templates.c.form_id, form_templates.c.version))),
    )
