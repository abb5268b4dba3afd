"""Excel round trip from the desk: a blank form for a unit without the browser, and its import back."""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import ipywidgets as w

from ..markup import download_link, esc
from ..widgets.shared import picker

__all__ = ["ExcelPanel"]

log = logging.getLogger(__name__)


class ExcelPanel(w.VBox):
    """Download a unit's blank form for the period; upload filled ones to check and store them."""

    def __init__(self, app, account, period):
        self.app, self.account, self.period = app, account, period
        units = app.catalog.organisation.reporting_units()
        self.unit_pick = picker("Đơn vị", options=[(u.name, u.code) for u in units])
        self.blank_button = w.Button(description="Tạo biểu mẫu Excel trắng", layout=w.Layout(width="auto"))
        self.blank_button.add_class("dv-blank-form")
        self.blank_button.on_click(lambda _b: self.make_blank())
        self.blank_link = w.HTML()
        self.upload = w.FileUpload(accept=".xlsx", multiple=True, description="Chọn tệp đã điền")
        self.import_button = w.Button(description="Kiểm tra và nhập", button_style="primary",
                                      layout=w.Layout(width="auto"))
        self.import_button.add_class("dv-import")
        self.import_button.on_click(lambda _b: self.import_uploads())
        self.result = w.HTML()
        super().__init__([
            w.HTML("<b>Đơn vị không dùng được trình duyệt</b>: tải biểu mẫu Excel trắng của kỳ này, gửi cho đơn vị, "
                   "rồi nhập lại tệp đã điền. Tệp có lỗi sẽ không được lưu."),
            w.HBox([self.unit_pick, self.blank_button]), self.blank_link,
            w.HBox([self.upload, self.import_button]), self.result])
        self.add_class("dv-excel-panel")

    def make_blank(self) -> bytes | None:
        from ..roundtrip import blank_form_bytes, default_filename

        try:
            content = blank_form_bytes(self.app.catalog, self.unit_pick.value, self.period.id)
        except Exception:
            log.exception("blank form failed")
            self.blank_link.value = '<span style="color:#b00020">Chưa tạo được biểu mẫu; vui lòng thử lại.</span>'
            return None
        name = default_filename(self.unit_pick.value, self.period.id)
        self.blank_link.value = download_link(name, content)
        return content

    def import_uploads(self, files: list[tuple[str, bytes]] | None = None) -> list:
        """Check and store each uploaded workbook as the analyst; report per file."""
        from ..roundtrip import import_file

        files = files if files is not None else [(f["name"], bytes(f["content"])) for f in self.upload.value]
        if not files:
            self.result.value = "Chưa chọn tệp nào."
            return []
        results, lines = [], []
        with tempfile.TemporaryDirectory() as folder:
            for name, content in files:
                path = Path(folder) / Path(name).name
                path.write_bytes(content)
                result = import_file(self.app.catalog, self.app.store, path, actor=self.account,
                                     period_id=self.period.id)
                results.append(result)
                if result.ok:
                    note = ("đã có (không tạo bản mới)" if result.duplicate
                            else f"đã lưu, bản số {result.revision_number}")
                    lines.append(f'<li class="dv-import-ok">{esc(name)} — {esc(result.unit_name)}: {note}</li>')
                else:
                    problems = "".join(f"<li>{esc(str(p))}</li>" for p in result.problems)
                    lines.append(f'<li class="dv-import-refused" style="color:#b00020">{esc(name)}: không lưu'
                                 f"<ul>{problems}</ul></li>")
        self.upload.value = ()
        self.result.value = f"<ul>{''.join(lines)}</ul>"
        return results
