"""What heads and closes one body's documents (Decree 30/2020/NĐ-CP, appendix I).

The Excel workbooks and the Word reports both take their heading from here:
the issuing body as printed (with its parent body, if any), the national name
and motto (or the Party's name for a Party body), the place in "…, ngày …",
the abbreviation in the document symbol ("58/BC-UBND"), the signer's title
lines and the usual "Nơi nhận". Each unit of the organisation tree may set
any of these under `letterhead:`; what it leaves out is derived from its kind.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Annotated

from ..forms.filetypes import Check, FromFile

if TYPE_CHECKING:
    from .organisation import Organisation, Unit

__all__ = ["LetterheadFields", "Letterhead", "letterhead", "official_date", "NATIONAL_NAME", "MOTTO",
           "PARTY_NAME"]

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PARTY_NAME = "ĐẢNG CỘNG SẢN VIỆT NAM"

_LOCAL_GOVERNMENT = ("province", "district", "commune", "town")
_PEOPLES_COMMITTEE = "Ủy ban nhân dân"
_PLACE_PREFIXES = ("Thị trấn ", "Phường ", "Xã ", "Thị xã ", "Thành phố ", "Huyện ", "Tỉnh ")


Lines = Annotated[tuple[str, ...] | None, Check(min_length=1, max_length=3)]


@dataclass(frozen=True, kw_only=True)
class LetterheadFields(FromFile):
    """A unit's own heading data in the organisation YAML; every field is optional."""

    parent: Annotated[str | None, Check(max_length=200)] = None
    """The parent body's line (cơ quan chủ quản) as printed; "" for none."""
    issuer: Lines = None
    """The issuing body as printed, one to three lines."""
    place: Annotated[str | None, Check(min_length=2, max_length=60)] = None
    """The place name in "Tân Quan, ngày … tháng … năm …"."""
    abbreviation: Annotated[str | None, Check(pattern=r"^[A-Za-zĐđ0-9][A-Za-zĐđ0-9.&-]{0,19}$")] = None
    """The body's part of a document symbol: "UBND" in "58/BC-UBND"."""
    signer: Lines = None
    """The signer's title lines: ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH") or ("TRƯỞNG PHÒNG",)."""
    signer_name: Annotated[str | None, Check(max_length=80)] = None
    """The signer's name printed under the signature, if it is known."""
    recipients: Annotated[tuple[str, ...] | None, Check(max_length=12)] = None
    """The "Nơi nhận" lines, without the leading dash."""
    party: bool | None = None
    """True for a Party body: its documents carry "ĐẢNG CỘNG SẢN VIỆT NAM" instead of the national name."""


@dataclass(frozen=True)
class Letterhead:
    """Everything the heading, number line, place and date, signature and "Nơi nhận" print for one body."""

    name: str                       # the unit's full name, e.g. "Xã Tân Quan"
    parent: str                     # "UBND HUYỆN HỚN QUẢN", or "" when the issuer stands alone
    issuer: tuple[str, ...]         # ("ỦY BAN NHÂN DÂN", "XÃ TÂN QUAN")
    national: str                   # NATIONAL_NAME, or PARTY_NAME for a Party body
    motto: str                      # MOTTO, or "" for a Party body
    place: str                      # "Tân Quan"
    abbreviation: str               # "UBND"
    signer: tuple[str, ...]         # ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    signer_name: str
    recipients: tuple[str, ...]     # ("Phòng Nội vụ huyện (để tổng hợp);", "Lưu: VT.")

    def symbol(self, kind: str = "BC") -> str:
        """The document symbol: kind of document, then the body: "BC-UBND"; a letter (công văn,
        kind "") carries the body alone: "PNV"."""
        return f"{kind}-{self.abbreviation}" if kind else self.abbreviation

    def number_line(self, number: str | None = None, kind: str = "BC") -> str:
        """'Số: 58/BC-UBND' for a given number (or a full "58/BC-UBND"), else 'Số:      /BC-UBND' to fill in."""
        text = (number or "").strip()
        if not text:
            return f"Số:      /{self.symbol(kind)}"
        if text.lower().startswith("số"):
            text = text[2:].lstrip(" :.")
        return f"Số: {text}" if "/" in text else f"Số: {text}/{self.symbol(kind)}"

    def dated(self, when: date) -> str:
        """'Tân Quan, ngày 05 tháng 5 năm 2026'."""
        return official_date(self.place, when)


def official_date(place: str, when: date) -> str:
    """'Hớn Quản, ngày 05 tháng 5 năm 2026' (Decree 30: a leading zero for days < 10 and months 1–2)."""
    month = f"{when.month:02d}" if when.month < 3 else str(when.month)
    return f"{place}, ngày {when.day:02d} tháng {month} năm {when.year}"


def _strip_committee(name: str) -> str:
    """'Ủy ban nhân dân huyện Hớn Quản' -> 'huyện Hớn Quản'; other names unchanged."""
    if name.lower().startswith(_PEOPLES_COMMITTEE.lower()):
        return name[len(_PEOPLES_COMMITTEE):].strip()
    return name


def _place_of(name: str) -> str:
    """'Xã Tân Quan' -> 'Tân Quan'; 'huyện Hớn Quản' -> 'Hớn Quản'."""
    bare = _strip_committee(name)
    for prefix in _PLACE_PREFIXES:
        if bare.lower().startswith(prefix.lower()):
            return bare[len(prefix):].strip()
    return bare


def _short_parent(name: str) -> str:
    """A parent body's line: "Ủy ban nhân dân huyện Hớn Quản" prints as "UBND HUYỆN HỚN QUẢN"."""
    bare = _strip_committee(name)
    return ("UBND " + bare if bare != name else name).upper()


def letterhead(org: "Organisation", code: str | None = None) -> Letterhead:
    """The letterhead of a unit (by default the hub that consolidates), its own fields over its kind's defaults."""
    unit: Unit = org.unit(code or org.hub)
    own = unit.letterhead or LetterheadFields()
    parent_unit = org.by_code.get(unit.reports_to[0]) if unit.reports_to else None
    issuer: tuple[str, ...]
    signer: tuple[str, ...]
    if unit.kind in _LOCAL_GOVERNMENT:
        parent, issuer = "", ("ỦY BAN NHÂN DÂN", _strip_committee(unit.name).upper())
        place = _place_of(unit.name) if unit.kind in ("commune", "town") else org.place
        abbreviation, signer = "UBND", ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    else:
        parent = _short_parent(parent_unit.name) if parent_unit is not None else ""
        issuer, place = (unit.name.upper(),), org.place
        abbreviation, signer = unit.code.replace("_", "-")[:20], ("THỦ TRƯỞNG ĐƠN VỊ",)
    if unit.code == org.hub or not unit.reports:
        recipients: tuple[str, ...] = tuple(f"{org.unit(c).name};" for c in unit.reports_to if c in org.by_code)
    else:
        recipients = (f"{org.unit(org.hub).name} (để tổng hợp);",)
    recipients += ("Lưu: VT.",)
    party = own.party if own.party is not None else unit.kind == "party_body"
    return Letterhead(
        name=unit.name,
        parent=own.parent if own.parent is not None else parent,
        issuer=own.issuer or issuer,
        national=PARTY_NAME if party else NATIONAL_NAME,
        motto="" if party else MOTTO,
        place=own.place or place,
        abbreviation=own.abbreviation or abbreviation,
        signer=own.signer or signer,
        signer_name=own.signer_name or "",
        recipients=own.recipients if own.recipients is not None else recipients,
    )
