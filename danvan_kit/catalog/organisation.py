"""The organisation tree: which units exist, their kind, and whom they report to.

Loaded from a YAML file under templates/organisation/; another tree (e.g. the
post-2025 commune-level one) is another file, never a code change.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from ..forms.filetypes import Check, FromFile
from ..forms.text import vn_sort_key
from ..forms.yamlfile import load_model
from .letterhead import LetterheadFields

__all__ = ["Unit", "Organisation", "load_organisation"]

UnitKind = Literal["province", "district", "district_office", "commune", "town", "party_body", "mass_body"]


@dataclass(frozen=True, kw_only=True)
class Unit(FromFile):
    """One body in the tree. `code` is the stable key submissions are filed under."""

    code: Annotated[str, Check(pattern=r"^[A-Z0-9][A-Z0-9_-]{0,39}$")]
    name: Annotated[str, Check(min_length=2, max_length=200)]
    kind: UnitKind
    reports_to: tuple[str, ...] = ()
    reports: bool = True  # False: receives reports but files none (province, district)
    letterhead: LetterheadFields | None = None  # heading data over the kind's defaults (catalog.letterhead)


@dataclass(frozen=True, kw_only=True)
class Organisation(FromFile):
    """A whole tree: units plus the hub that collects their reports."""

    id: Annotated[str, Check(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    name: str
    place: str
    hub: str
    units: Annotated[tuple[Unit, ...], Check(min_length=1)]

    def __post_init__(self) -> None:
        """Every code once, every `reports_to` and the hub a unit of the tree."""
        codes = [u.code for u in self.units]
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                raise ValueError(f"mã đơn vị {code!r} bị trùng")
            seen.add(code)
        for unit in self.units:
            for parent in unit.reports_to:
                if parent not in seen:
                    raise ValueError(f"đơn vị {unit.code} báo cáo cho {parent!r}, nhưng không có đơn vị mã này")
                if parent == unit.code:
                    raise ValueError(f"đơn vị {unit.code} không thể báo cáo cho chính nó")
        if self.hub not in seen:
            raise ValueError(f"hub {self.hub!r} không phải mã của một đơn vị trong danh sách")

    @cached_property
    def by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    def unit(self, code: str) -> Unit:
        """The unit with this code (KeyError if unknown)."""
        return self.by_code[code]

    def reporting_units(self) -> list[Unit]:
        """Units that file reports, in Vietnamese alphabetical order of name."""
        return sorted((u for u in self.units if u.reports), key=lambda u: vn_sort_key(u.name))


def load_organisation(path: str | Path) -> Organisation:
    """Load and validate an organisation tree; TemplateError names file and field."""
    return load_model(path, Organisation)
