"""Forms edited in Excel, from the desk: download a form as an XLSForm workbook, upload an edited one,
see the check's result, and keep it as the form's next version only when it passes."""
from __future__ import annotations

import logging

import ipywidgets as w

from ..markup import download_link, esc
from ..widgets.shared import picker

__all__ = ["FormExcelPanel"]

log = logging.getLogger(__name__)


class FormExcelPanel(w.VBox):
    """Analysts only: every callback re-checks the account in the store before it reads or writes."""

    def __init__(self, app, account):
        self.app, self.account = app, account
        newest = {f.id: f for f in sorted(app.catalog.forms, key=lambda f: f.version)}
        self.form_pick = picker("Biểu mẫu", options=[(f.title, f.id) for f in newest.values()])
        self.download_button = w.Button(description="Tải biểu mẫu dạng Excel", layout=w.Layout(width="auto"))
        self.download_button.add_class("dv-xlsform-download")
        self.download_button.on_click(lambda _b: self.download())
        self.link = w.HTML()
        self.upload = w.FileUpload(accept=".xlsx", multiple=False, description="Chọn tệp đã sửa")
        self.check_button = w.Button(description="Kiểm tra", layout=w.Layout(width="auto"))
        self.check_button.add_class("dv-xlsform-check")
        self.check_button.on_click(lambda _b: self.check())
        self.save_button = w.Button(description="Lưu thành phiên bản mới", button_style="primary",
                                    disabled=True, layout=w.Layout(width="auto"))
        self.save_button.add_class("dv-xlsform-save")
        self.save_button.on_click(lambda _b: self.save())
        self.result = w.HTML()
        self._checked = None
        super().__init__([
            w.HTML("<b>Sửa biểu mẫu bằng Excel</b>: tải biểu mẫu về, sửa trong Excel (tăng số phiên bản ở trang "
                   "settings), rồi tải lên để kiểm tra. Chỉ tệp không có lỗi mới được lưu thành phiên bản mới."),
            w.HBox([self.form_pick, self.download_button]), self.link,
            w.HBox([self.upload, self.check_button, self.save_button]), self.result])
        self.add_class("dv-xlsform-panel")

    def _allowed(self) -> bool:
        from ..store import StoreError

        try:
            self.app.store.audit(self.account, 1)  # the store re-checks: a live session of an analyst
        except StoreError as exc:
            self.result.value = f'<span style="color:#b00020">{esc(str(exc))}</span>'
            return False
        return True

    def download(self) -> bytes | None:
        from ..roundtrip.xlsform_export import xlsform_bytes

        if not self._allowed():
            return None
        form = self.app.catalog.form(self.form_pick.value)
        content = xlsform_bytes(form)
        name = f"bieu-mau-{form.id}-v{form.version}.xlsx"
        self.link.value = download_link(name, content)
        return content

    def check(self, upload: tuple[str, bytes] | None = None):
        """Check the uploaded workbook; the save button opens only for a new version that passed."""
        from ..roundtrip.xlsform_import import read_xlsform

        self._checked = None
        self.save_button.disabled = True
        if not self._allowed():
            return None
        if upload is None:
            if not self.upload.value:
                self.result.value = "Chưa chọn tệp nào."
                return None
            item = self.upload.value[0]
            upload = (str(item["name"]), bytes(item["content"]))
        name, content = upload
        result = read_xlsform(name, content)
        if not result.ok:
            items = "".join(f"<li>{esc(str(p))}</li>" for p in result.problems[:50])
            self.result.value = (f'<div class="dv-xlsform-refused" style="color:#b00020">{esc(name)}: chưa lưu được, '
                                 f"còn {len(result.problems)} lỗi cần sửa<ul>{items}</ul></div>")
            return result
        form = result.form
        assert form is not None
        known = {(f.id, f.version) for f in self.app.catalog.forms}
        if (form.id, form.version) in known:
            self.result.value = (f'<div class="dv-xlsform-refused" style="color:#b00020">{esc(name)}: biểu mẫu hợp lệ '
                                 f"nhưng phiên bản {form.version} đã có; hãy tăng số phiên bản ở trang settings "
                                 "rồi tải lên lại.</div>")
            return result
        self._checked = result
        self.save_button.disabled = False
        self.result.value = (f'<div class="dv-xlsform-ok">{esc(name)}: hợp lệ — «{esc(form.title)}», phiên bản '
                             f"{form.version}. Bấm «Lưu thành phiên bản mới» để lưu.</div>")
        return result

    def save(self):
        """Keep the checked workbook as the form's next version (nothing is written unless it passed)."""
        from ..roundtrip.xlsform_import import save_imported

        result = self._checked
        if result is None or not self._allowed():
            return None
        try:
            save_imported(result, self.app.catalog.root)
        except (ValueError, OSError) as exc:
            log.exception("saving an imported form failed: %s", exc)
            self.result.value = ('<span style="color:#b00020">Chưa lưu được biểu mẫu; vui lòng thử lại '
                                 "hoặc báo quản trị máy chủ.</span>")
            return None
        finally:
            self._checked = None
            self.save_button.disabled = True
        form = result.form
        self.result.value = (f'<div class="dv-xlsform-saved">Đã lưu «{esc(form.title)}», phiên bản {form.version}. '
                             "Phiên bản mới được dùng sau khi quản trị máy chủ nạp lại biểu mẫu.</div>")
        return form
