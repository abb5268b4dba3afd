"""A button that drafts one Word document (danvan_kit.word) and offers it as a download link."""
from __future__ import annotations

import logging
from typing import Any, Callable

import ipywidgets as w

from ..markup import DOCX, download_link, esc

__all__ = ["WordButton"]

log = logging.getLogger(__name__)
FAILED = "Chưa tạo được văn bản Word; dữ liệu vẫn an toàn, vui lòng thử lại sau."


class WordButton(w.VBox):
    """`make()` returns a word.Document; a known refusal (no submission, access) is shown as its message."""

    def __init__(self, label: str, make: Callable[[], Any], css: str):
        self.make = make
        self.button = w.Button(description=label, icon="file-text", layout=w.Layout(width="auto"))
        self.button.add_class(css)
        self.button.on_click(lambda _b: self.prepare())
        self.link = w.HTML()
        super().__init__([self.button, self.link])

    def prepare(self) -> bytes | None:
        from ..forms.template_error import TemplateError
        from ..store import StoreError
        from ..word import NoSubmission

        self.button.disabled = True
        self.link.value = "Đang soạn văn bản…"
        try:
            doc = self.make()
        except (NoSubmission, StoreError) as exc:
            self.link.value = esc(str(exc))
            return None
        except TemplateError:
            log.exception("word template failed")
            self.link.value = esc(FAILED + " (Mẫu văn bản có lỗi: báo Phòng Nội vụ kiểm tra mẫu.)")
            return None
        except Exception:
            log.exception("word document failed")
            self.link.value = esc(FAILED)
            return None
        finally:
            self.button.disabled = False
        self.link.value = download_link(doc.name, doc.content, DOCX, css="dv-word-link")
        return doc.content
