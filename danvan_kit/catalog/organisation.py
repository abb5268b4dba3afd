"""The organisation tree: which units exist, their kind, and whom they report to.

Loaded from a YAML file under templates/organisation/; another tree (e.g. the
post-2025 commune-level one) is another file, never a code change.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..forms.text import vn_sort_key
from ..forms.yamlfile import load_model
from .letterhead import LetterheadFields

__all__ = ["Unit", "Organisation", "load_organisation"]

UnitKind = Literal["province", "district", "district_office", "commune", "town", "party_body", "mass_body"]


class Unit(BaseModel):
    """One body in the tree. `code` is the stable key submissions are filed under."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9_-]{0,39}$")
    name: str = Field(min_length=2, max_length=200)
    kind: UnitKind
    reports_to: tuple[str, ...] = ()
    reports: bool = True  # False: receives reports but files none (province, district)
    letterhead: LetterheadFields | None = None  # heading data over the kind's defaults (catalog.letterhead)


class Organisation(BaseModel):
    """A whole tree: units plus the hub that collects their reports."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    place: str
    hub: str
    units: tuple[Unit, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_references(self) -> "Organisation":
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
        return self

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
