"""The fixed wording the documents share: a period as a phrase, the heading block, labels as sentences."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..catalog.letterhead import Letterhead
from .text import plain

__all__ = ["period_phrase", "subject", "heading_context", "bare_label", "lower_first", "upper_first", "DIRECTIVE"]

DIRECTIVE = ("Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ về việc tiếp tục tăng cường và đổi mới "
             "công tác dân vận của cơ quan hành chính nhà nước, chính quyền các cấp trong tình hình mới")
_SUBJECT = "Kết quả thực hiện công tác dân vận chính quyền"
_ENUMERATOR = re.compile(r"^[a-zđ](?:\s*,\s*[a-zđ])*\)\s+")


def lower_first(text: str) -> str:
    """'Báo cáo năm 2026' -> 'báo cáo năm 2026' (the rest kept: 'Dân vận khéo' stays a name)."""
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def period_phrase(period: Any) -> str:
    """'6 tháng đầu năm 2026', 'năm 2026', or the period's own title (first letter lowered) for other kinds."""
    if period.kind == "six_month":
        return f"6 tháng đầu năm {period.year}"
    if period.kind == "annual":
        return f"năm {period.year}"
    return lower_first(str(period.title))


def subject(period: Any) -> str:
    """The title line: 'Kết quả thực hiện công tác dân vận chính quyền 6 tháng đầu năm 2026'; for another kind
    of period 'Kết quả ' and its title ('Kết quả đăng ký mô hình "Dân vận khéo" năm 2026')."""
    if period.kind in ("six_month", "annual"):
        return f"{_SUBJECT} {period_phrase(period)}"
    return f"Kết quả {period_phrase(period)}"


def bare_label(label: str) -> str:
    """A field label without the plan's item letters: 'a) Đã phổ biến …' -> 'Đã phổ biến …'."""
    return _ENUMERATOR.sub("", label.strip())


def heading_context(lh: Letterhead, number: str, when: date) -> dict[str, Any]:
    """The tags every template's heading and closing use: lh.*, number, dated."""
    return {
        "lh": {
            "parent": plain(lh.parent), "issuer": [plain(x) for x in lh.issuer], "national": plain(lh.national),
            "motto": plain(lh.motto), "signer": [plain(x) for x in lh.signer], "signer_name": plain(lh.signer_name),
            "recipients": [plain(x) for x in lh.recipients],
        },
        "number": plain(number),
        "dated": plain(lh.dated(when)),
    }
