"""Vietnamese text done right: NFC storage, cleaning of pasted text, sorting, dates.

Text pasted from PDFs arrives decomposed (NFD), with soft hyphens, zero-width
spaces, non-breaking spaces and ligatures; all of that is repaired silently.
Control characters (NUL…) and emoji cannot be printed in an official document
and are refused with a message instead.

Direction controls: the bidi embeddings, overrides and isolates (U+202A–U+202E,
U+2066–U+2069) reorder what a reader sees, so that text can look unlike what is
stored ("Trojan source"); Vietnamese never needs them and they are refused,
naming the code point. The plain direction marks (U+200E LRM, U+200F RLM,
U+061C ALM) reorder nothing on their own and arrive with text pasted from web
pages: they are removed silently, like zero-width spaces. A lone surrogate
(half of a character cut by a broken copy or a forged message) cannot be
stored as UTF-8 at all and is refused too.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

__all__ = [
    "to_nfc", "to_nfc_deep", "clean_text", "text_problem", "vn_sort_key",
    "format_date", "format_moment", "parse_date", "unstorable_character", "unstorable_in",
]

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u3000"), " ")
_LIGATURES = re.compile("[\ufb00-\ufb06]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U0001fc00-\U0001ffff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U000e0000-\U000e007f]"
)


def to_nfc(value: str) -> str:
    """Return `value` in Unicode NFC (how every string is stored)."""
    return unicodedata.normalize("NFC", value)


def to_nfc_deep(value: Any) -> Any:
    """NFC-normalise every string inside nested dicts and lists."""
    if isinstance(value, str):
        return to_nfc(value)
    if isinstance(value, dict):
        return {to_nfc_deep(k): to_nfc_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_nfc_deep(v) for v in value]
    return value


def clean_text(value: str, multiline: bool = False) -> str:
    """Repair pasted text: NFC, ligatures, invisible characters, odd spaces, line ends.

    Refusable content (control characters, emoji) is kept so that
    `text_problem` can report it; nothing here loses a visible character.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.translate(_INVISIBLE).translate(_SPACES)
    value = _LIGATURES.sub(lambda m: unicodedata.normalize("NFKC", m.group()), value)
    value = to_nfc(value)
    if multiline:
        lines = [line.rstrip() for line in value.split("\n")]
        return "\n".join(lines).strip("\n").strip()
    return " ".join(value.replace("\n", " ").replace("\t", " ").split())


def unstorable_character(value: str) -> str | None:
    """Why `value` cannot be stored at all (a lone surrogate), in Vietnamese, or None."""
    match = _SURROGATE.search(value)
    if match is None:
        return None
    return (f"có ký tự hỏng (U+{ord(match.group()):04X}, nửa ký tự bị cắt khi sao chép) "
            "nên không lưu được; hãy xóa rồi gõ lại")


def _printable(key: str) -> str:
    """A key as it can be shown: a lone surrogate becomes '?'."""
    return key.encode("utf-8", "replace").decode("utf-8")


def unstorable_in(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first place in nested data holding a lone surrogate, as (path, Vietnamese reason), or None.

    The path reads like the form engine's field keys: `muc_tieu`, `hoat_dong[2].noi_dung`
    (rows counted from 1). Data that skipped the form's own check (a draft) is checked here.
    """
    if isinstance(value, str):
        problem = unstorable_character(value)
        return (path, problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{_printable(str(key))}" if path else _printable(str(key))
            found = unstorable_in(key, where) if isinstance(key, str) else None
            found = found or unstorable_in(item, where)
            if found:
                return found
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value, start=1):
            found = unstorable_in(item, f"{path}[{i}]")
            if found:
                return found
    return None


def text_problem(value: str, max_length: int) -> str | None:
    """A Vietnamese explanation of why cleaned text cannot be stored, or None."""
    broken = unstorable_character(value)
    if broken:
        return broken
    bidi = _BIDI.search(value)
    if bidi:
        return (f"có ký tự điều khiển hướng chữ (U+{ord(bidi.group()):04X}) dùng để ngụy trang văn bản; "
                "hãy xóa rồi gõ lại")
    if _CONTROL.search(value):
        return "có ký tự điều khiển không in được (ví dụ ký tự NUL) — hãy gõ lại đoạn văn bản này"
    if _EMOJI.search(value):
        return "có biểu tượng cảm xúc (emoji), không dùng được trong văn bản hành chính"
    if len(value) > max_length:
        return f"dài {len(value):,} ký tự, vượt giới hạn {max_length:,} ký tự".replace(",", ".")
    return None


# Vietnamese alphabet order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
# then tones: none, huyền, hỏi, ngã, sắc, nặng.
_LETTER_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # breve, circumflex, horn
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vn_sort_key(value: str) -> tuple:
    """Sort key for Vietnamese alphabetical order (letters first, then tones)."""
    letters: list[tuple[str, int]] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", value.casefold()):
        if ch in _LETTER_MARKS and letters:
            base, _ = letters[-1]
            letters[-1] = (base, _LETTER_MARKS[ch])
        elif ch in _TONES:
            if tones:
                tones[-1] = _TONES[ch]
        elif unicodedata.combining(ch):
            continue
        elif ch == "đ":
            letters.append(("d", 9))
            tones.append(0)
        else:
            letters.append((ch, 0))
            tones.append(0)
    return (tuple(letters), tuple(tones), value)


_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


def format_date(value: date | datetime | str | None) -> str:
    """dd/mm/yyyy for display (accepts a date, a datetime or an ISO string)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def format_moment(moment: datetime) -> str:
    """"HH:MM:SS ngày dd/mm/yyyy" in Vietnam's time, for "saved at" and "changed at" messages."""
    from ..settings import VN_TZ

    local = moment.astimezone(VN_TZ)
    return f"{local:%H:%M:%S} ngày {local:%d/%m/%Y}"


def parse_date(value: str) -> date:
    """Parse dd/mm/yyyy (also dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd); ValueError otherwise."""
    value = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)
