"""A form page: pick period (and unit for analysts, model for Dân vận khéo), fill, autosave, submit.

All writes go through the store with the logged-in account; the store decides
what that account may do, so nothing here is a security boundary on its own.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

import ipywidgets as w

from ..catalog.calendar import Period
from ..forms.text import format_date, format_moment
from ..markup import download_link, esc, safe_filename
from ..widgets import FormView, UserFacingError
from ..widgets.shared import picker
from .autosave import Debouncer
from .stale_panel import StalePanel
from .word_button import WordButton

if TYPE_CHECKING:
    from ..store import Revision

__all__ = ["FormPage", "default_period", "describe_deadline"]

log = logging.getLogger(__name__)
AUTOSAVE_SECONDS = 2.0
NEW_ITEM = "__new__"
LATE_WINDOW_DAYS = 200  # older unsent reports are no longer what a unit comes for


def default_period(periods: list[Period], today: date, submitted: set[str] | None = None,
                   analyst: bool = False) -> Period:
    """The period a person most likely came for.

    A unit: the latest period due in the last LATE_WINDOW_DAYS it has not submitted and is
    past due (a late report is the urgent one), else the next deadline.
    An analyst: a deadline passed in the last 60 days (consolidation time),
    else the next deadline. Failing both, the most recent period.
    """
    if analyst:
        recent = [p for p in periods if 0 < (today - p.due).days <= 60]
        if recent:
            return max(recent, key=lambda p: p.due)
    elif submitted is not None:
        overdue = [p for p in periods if 0 < (today - p.due).days <= LATE_WINDOW_DAYS and p.id not in submitted]
        if overdue:
            return max(overdue, key=lambda p: p.due)
    upcoming = [p for p in periods if p.due >= today]
    return min(upcoming, key=lambda p: p.due) if upcoming else max(periods, key=lambda p: p.due)


def describe_deadline(period: Period, today: date) -> str:
    days = (period.due - today).days
    when = f"hạn {format_date(period.due)}"
    if days > 0:
        return f"{when} — còn {days} ngày"
    if days == 0:
        return f"{when} — hôm nay là hạn cuối"
    return f"{when} — đã quá hạn {-days} ngày"


class FormPage(w.VBox):
    """Everything on one form notebook after login."""

    def __init__(self, app, account, form_id: str, params: dict[str, str] | None = None):
        params = params or {}
        self.app, self.account, self.form_id = app, account, form_id
        self.today = app.today()
        self.periods = [p for p in app.catalog.calendar.offered(self.today, account.is_analyst) if p.form == form_id]
        chosen = next((p for p in self.periods if p.id == params.get("ky")), None)
        period = chosen or default_period(self.periods, self.today, self._submitted_periods(), account.is_analyst)
        self.period_pick = picker("Kỳ báo cáo", options=[(p.title, p.id) for p in self.periods], value=period.id)
        units = app.catalog.organisation.reporting_units()
        if account.is_analyst:
            unit = params.get("dv") if params.get("dv") in {u.code for u in units} else units[0].code
            self.unit_pick = picker("Đơn vị", options=[(u.name, u.code) for u in units], value=unit)
        else:
            own = app.catalog.organisation.unit(account.unit_code)
            self.unit_pick = picker("Đơn vị", options=[(own.name, own.code)], disabled=True)
        self.item_pick = picker("Mô hình", hidden=True)
        self._wanted_item = params.get("mh", "")
        self.header = w.HTML()
        self.body = w.VBox()
        self.download_button = w.Button(description="Tải bản Excel để in, ký", icon="download",
                                        layout=w.Layout(width="auto", display="none"))
        self.download_button.add_class("dv-download")
        self.download_link = w.HTML()
        self.download_button.on_click(lambda _b: self.prepare_download())
        self.word = WordButton("Tải báo cáo Word để in, ký", self._unit_report, "dv-download-word")
        self.word.layout.display = "none"
        self.view: FormView | None = None
        # the revision this window shows (None: none yet); every write names it, the store refuses older ones
        self.standing_on: Revision | None = None
        self._new_item = ""  # the model number the store allocated for "+ Đăng ký mô hình mới"
        self.stale = StalePanel(self._reload_keeping_typed)
        self.saved_at = w.HTML(layout=w.Layout(display="none"))  # read by the page's connection watch
        self.autosave = Debouncer(AUTOSAVE_SECONDS, self.save_draft)
        nav = w.HTML(app.nav(account))
        downloads = w.HBox([self.download_button, self.download_link, self.word])
        super().__init__([nav, self.period_pick, self.unit_pick, self.item_pick, self.header, downloads,
                          self.body, self.stale, self.saved_at])
        self.add_class("dv-form-page")
        self._quiet = False  # True while the pickers are updated from code
        self._refresh_items()
        for pick in (self.period_pick, self.unit_pick):
            pick.observe(lambda _c: self._picked(refresh_items=True), "value")
        self.item_pick.observe(lambda _c: self._picked(), "value")
        self.load_form()

    def _picked(self, refresh_items: bool = False) -> None:
        if self._quiet:
            return
        if refresh_items:
            self._refresh_items()
        self.load_form()

    def _submitted_periods(self) -> set[str] | None:
        """Recent periods this unit has already submitted (None for analysts)."""
        if self.account.is_analyst:
            return None
        done = set()
        for period in self.periods:
            if 0 < (self.today - period.due).days <= LATE_WINDOW_DAYS:
                rows = self.app.store.status(self.account, period.id)
                if any(r.state in ("submitted", "approved", "needs_correction") for r in rows):
                    done.add(period.id)
        return done

    # -- where we are --------------------------------------------------
    @property
    def period(self) -> Period:
        return self.app.catalog.calendar.get(self.period_pick.value)

    @property
    def unit_code(self) -> str:
        return self.unit_pick.value

    @property
    def item(self) -> str:
        value = self.item_pick.value if self.period.per_item else ""
        return self._new_item if value == NEW_ITEM else (value or "")

    def _refresh_items(self) -> None:
        """Dân vận khéo: a unit may register several models in a period."""
        if not self.period.per_item:
            return
        items = self.app.store.items(self.account, self.unit_code, self.form_id, self.period.id)
        self._new_item = ""
        options = [(f"Mô hình số {i}", i) for i in items] + [("+ Đăng ký mô hình mới", NEW_ITEM)]
        value = self._wanted_item if self._wanted_item in items else (items[0] if items else NEW_ITEM)
        self._wanted_item = ""
        self._quiet = True
        try:
            self.item_pick.options = options
            self.item_pick.value = value
        finally:
            self._quiet = False
        self.item_pick.layout.display = None

    # -- the form itself ----------------------------------------------
    def load_form(self) -> None:
        """(Re)load the form for the chosen period, unit and model from the store."""
        from ..store import StoreError

        self.autosave.flush()
        self.stale.clear()
        store, catalog = self.app.store, self.app.catalog
        key = (self.account, self.unit_code, self.form_id, self.period.id)
        try:
            unallocated = self.period.per_item and not self.item  # a new model: no number until saved
            latest = None if unallocated else store.latest(*key, item=self.item)
            review = None if unallocated else store.review_state(*key, item=self.item)
        except StoreError as exc:  # e.g. a forged unit code: the store refused and audited it
            self.body.children = [w.HTML(f'<p class="dv-refused" style="color:#b00020">{esc(str(exc))}</p>')]
            return
        template = (catalog.form(self.form_id, latest.template_version) if latest
                    else catalog.form_for(self.period))
        self.template = template
        self._stand_on(latest)
        comment = review.comment if review is not None and review.state == "needs_correction" else None
        self.view = FormView(template, data=latest.data if latest else None,
                             on_submit=self._submit, on_save_draft=self._save,
                             on_change=lambda _v: self.autosave.trigger(),
                             reviewer_scores=(review.adjusted_scores or {}) if review else None,
                             review_comment=comment, readonly=self.account.is_analyst)
        self.body.children = [self.view]
        self._show_header(latest, review)

    def _show_header(self, latest, review) -> None:
        from ..store import STATUS_LABELS

        unit = self.app.catalog.organisation.unit(self.unit_code)
        if latest is None:
            state = "Chưa làm"
        elif latest.kind == "draft":
            state = f"Đang soạn (nháp lưu lúc {format_moment(latest.created_at)})"
        else:
            late = "đúng hạn" if latest.on_time else f"trễ {latest.days_late} ngày"
            state = f"Đã nộp lúc {format_moment(latest.created_at)} ({late})"
        if review is not None:
            state += f" · {STATUS_LABELS.get(review.state, review.state)}"
        self.download_link.value = ""
        self.download_button.layout.display = None if latest is not None and latest.kind == "submitted" else "none"
        self.word.link.value = ""
        self.word.layout.display = None if latest is not None and latest.kind == "submitted" and \
            self.period.kind in ("six_month", "annual") else "none"
        self.header.value = (f'<div class="dv-page-header"><b>{esc(unit.name)}</b> · '
                             f"{esc(self.period.title)} · {describe_deadline(self.period, self.today)}<br>"
                             f'Trạng thái: <span class="dv-state">{esc(state)}</span></div>')

    def _item_to_write(self) -> str:
        """The model number to write under; a new model gets one from the store on its first save."""
        if self.period.per_item and self.item_pick.value == NEW_ITEM and not self._new_item:
            self._new_item = self.app.store.new_item(self.account, self.unit_code, self.form_id, self.period.id)
        return self.item

    def _written(self, revision) -> None:
        """After a write: the window now stands on this revision; a new model shows its number."""
        if revision.number >= self.base_revision:
            self._stand_on(revision)
        if self.period.per_item and self.item_pick.value == NEW_ITEM:
            self._wanted_item = self.item
            self._refresh_items()

    @property
    def base_revision(self) -> int:
        """The number of the revision this window shows, 0 before the first save: sent with every write."""
        return self.standing_on.number if self.standing_on is not None else 0

    def _stand_on(self, revision: Revision | None) -> None:
        self.standing_on = revision
        self.saved_at.value = (f'<span class="dv-last-saved">{esc(format_moment(revision.created_at))}</span>'
                               if revision is not None else "")

    def _save(self, raw: dict) -> str:
        from ..store import StaleRevision, StoreError

        try:
            item = self._item_to_write()
            revision = self.app.store.save_draft(self.account, self.unit_code, self.form_id, self.period.id, raw,
                                                 template_version=self.template.version, item=item,
                                                 base_revision=self.base_revision)
        except StaleRevision as exc:
            self.stale.show(str(exc))
            raise UserFacingError(str(exc)) from None
        except StoreError as exc:
            raise UserFacingError(str(exc)) from None
        self._written(revision)
        return f"Đã lưu nháp lúc {format_moment(revision.created_at)}."

    def save_draft(self) -> None:
        if self.view is not None and not self.account.is_analyst and not self.stale.shown:
            self.view.save_draft()

    def _reload_keeping_typed(self) -> None:
        """Load the latest revision, then list beside the form what this window had typed."""
        base: dict = self.standing_on.data if self.standing_on is not None else {}
        typed, template = (self.view.raw(), self.template) if self.view is not None else ({}, None)
        self.load_form()
        if template is not None and self.view is not None:
            self.stale.show_typed(template, base, typed, self.view.raw())

    def _submit(self, data: dict, attempt_id: str) -> str:
        from ..store import StaleRevision, StoreError, ValidationFailed

        self.autosave.pending = False
        try:
            item = self._item_to_write()
            result = self.app.store.submit(self.account, self.unit_code, self.form_id, self.period.id, data,
                                           template_version=self.template.version, attempt_id=attempt_id,
                                           item=item, base_revision=self.base_revision)
        except StaleRevision as exc:
            self.stale.show(str(exc))
            raise UserFacingError(str(exc)) from None
        except ValidationFailed as exc:
            raise UserFacingError("Chưa nộp được: " + "; ".join(exc.errors[:5]), exc.fields) from None
        except StoreError as exc:
            raise UserFacingError(str(exc)) from None
        revision = result.revision
        if not result.duplicate and self.app.export_on_submit:
            from ..publishing import (
                request_export,  # returns at once; a background worker rebuilds the workbook
            )

            request_export(self.period.id, data_dir=self.app.data_dir)
        timing = ("đúng hạn" if result.on_time else
                  f"trễ {result.days_late} ngày so với hạn {format_date(self.period.due)}")
        self._show_header(revision, None)
        self._written(revision)
        if result.duplicate:
            return (f"Báo cáo này đã được nộp lúc {format_moment(revision.created_at)} (bản số {revision.number}); "
                    "không tạo bản mới.")
        return (f"Đã nộp thành công lúc {format_moment(revision.created_at)} — {timing}. "
                f"Bản số {revision.number} đã được lưu; Phòng Nội vụ sẽ tiếp nhận.")

    def _unit_report(self):
        """The unit's written report from its latest submission (the store checks the account)."""
        from ..word import unit_document

        return unit_document(self.app.catalog, self.app.store, self.account, self.unit_code, self.period.id)

    def prepare_download(self) -> bytes | None:
        """Build the unit's printable copy of its latest submission and offer it as a link."""

        from ..excel import unit_copy_bytes
        from ..store import StoreError

        try:
            key = (self.account, self.unit_code, self.form_id, self.period.id)
            revision = self.app.store.latest(*key, item=self.item, submitted_only=True)
            if revision is None:
                self.download_link.value = "Chưa có bản đã nộp để tải."
                return None
            review = self.app.store.review_state(*key, item=self.item)
            unit = self.app.catalog.organisation.unit(self.unit_code)
            content = unit_copy_bytes(self.app.catalog, revision, unit=unit, period=self.period, review=review)
        except StoreError as exc:
            self.download_link.value = esc(str(exc))
            return None
        except Exception:
            log.exception("unit copy failed")
            self.download_link.value = "Chưa tạo được tệp Excel; vui lòng thử lại sau."
            return None
        name = safe_filename(f"{self.unit_code}_{self.period.id}_{self.form_id}"
                             f"{'_mo-hinh-' + self.item if self.item else ''}") + ".xlsx"
        self.download_link.value = download_link(name, content)
        return content
