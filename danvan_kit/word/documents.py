"""Which document a period asks for, read from the store and rendered: the one entry point of the
app's download buttons and of `danvan report`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..figures.period import gather
from ..markup import DOCX, safe_filename
from .district_report import district_report_bytes
from .notices import reminder_bytes, results_notice_bytes
from .unit_report import unit_report_bytes
from .wording import lower_first

__all__ = ["Document", "unit_document", "period_document", "reminder_document", "NoSubmission", "DOCX"]



class NoSubmission(ValueError):
    """The unit has no submitted report for the period (message in Vietnamese)."""


@dataclass(frozen=True)
class Document:
    """A rendered document and the plain ASCII file name it is offered under."""

    name: str
    content: bytes


def unit_document(catalog: Any, store: Any, actor: Any, unit_code: str, period_id: str) -> Document:
    """The unit's report from its latest submission (the store checks that `actor` may read it)."""
    period = catalog.calendar.get(period_id)
    if period.kind not in ("six_month", "annual"):
        raise ValueError(f"Kỳ {period.title} không phải kỳ báo cáo định kỳ; báo cáo của đơn vị chỉ có cho "
                         "báo cáo 6 tháng và báo cáo năm.")
    revision = store.latest(actor, unit_code, period.form, period_id, submitted_only=True)
    if revision is None:
        name = catalog.organisation.unit(unit_code).name
        raise NoSubmission(f"{name} chưa nộp {lower_first(period.title)}.")
    content = unit_report_bytes(catalog, revision, unit_code=unit_code, period=period)
    return Document(safe_filename(f"bao-cao_{unit_code}_{period_id}") + ".docx", content)


def period_document(catalog: Any, store: Any, period_id: str, *, when: date | None = None) -> Document:
    """The hub's document of a period: the notice of results for a self-assessment, else the consolidated report."""
    period = catalog.calendar.get(period_id)
    if period.kind == "self_assessment":
        data = gather(catalog, store, period_id, today=when, with_companions=False)
        return Document(safe_filename(f"thong-bao-ket-qua_{period_id}") + ".docx",
                        results_notice_bytes(catalog, data, when=when))
    data = gather(catalog, store, period_id, today=when, with_previous=True)
    return Document(safe_filename(f"bao-cao-tong-hop_{period_id}") + ".docx",
                    district_report_bytes(catalog, data, when=when))


def reminder_document(catalog: Any, store: Any, period_id: str, *, when: date | None = None) -> Document:
    """The reminder to the units that have not submitted the period or were sent back."""
    data = gather(catalog, store, period_id, today=when, with_companions=False)
    return Document(safe_filename(f"cong-van-don-doc_{period_id}") + ".docx", reminder_bytes(catalog, data, when=when))
