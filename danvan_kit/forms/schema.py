"""The form template schema: what an analyst may write in templates/forms/*.yaml.

Pydantic checks the shape (types, unknown keys); `check_form` then checks the
meaning (duplicate names, expressions, scores, class thresholds) so that every
problem names the file and the field. Number fields are non-negative unless the
template sets `min` explicitly (counts are the common case).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

__all__ = ["FIELD_TYPES", "Choice", "FieldSpec", "Group", "Section", "ClassBand", "Scoring", "FormTemplate"]

FieldType = Literal[
    "text", "long_text", "integer", "decimal", "date", "select_one", "select_many",
    "yes_no", "note", "file", "repeat",
]

FIELD_TYPES: dict[str, str] = {
    "text": "văn bản ngắn", "long_text": "văn bản dài", "integer": "số nguyên",
    "decimal": "số thập phân", "date": "ngày (dd/mm/yyyy)", "select_one": "chọn một",
    "select_many": "chọn nhiều", "yes_no": "có/không", "note": "ghi chú (chỉ hiển thị)",
    "file": "tệp minh chứng", "repeat": "bảng nhiều dòng",
}

NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Choice(BaseModel):
    """One option of a select field: stored `value`, shown `label`; any other key (e.g. `xa: an_phu`)
    is a property a `choice_filter` reads with option('xa')."""

    model_config = ConfigDict(extra="allow")

    value: str = Field(min_length=1, max_length=100)
    label: str = Field(min_length=1, max_length=300)

    @property
    def properties(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class FieldSpec(_Strict):
    """One question. See README "Tuỳ chỉnh" for worked examples of each key."""

    name: str = Field(pattern=NAME_PATTERN)
    type: FieldType
    label: str = Field(min_length=1, max_length=500)
    hint: str = ""
    unit: str = ""                       # shown after a number box, e.g. "cuộc", "lượt"
    required: bool = False
    required_message: str | None = None
    # numbers: smallest / largest value (min defaults to 0); dates: a day (dd/mm/yyyy), `today`
    # (today in Vietnam) or an expression, e.g. `max: today`, `min: ngay_bat_dau` (forms/bounds.py)
    min: float | str | None = None
    max: float | str | None = None
    step: float | None = Field(default=None, gt=0)  # numbers: only whole steps from min, e.g. 0.5 (halves)
    max_length: int | None = Field(default=None, ge=1, le=1_000_000)
    constraint: str | None = None        # expression that must hold, e.g. "da_giai_quyet <= tiep_nhan"
    constraint_message: str | None = None
    relevant: str | None = None          # show only when this expression is true
    calculation: str | None = None       # computed, read-only
    default: Any = None
    choices: list[Choice] | None = None
    choice_filter: str | None = None     # only the options for which this holds, e.g. "option('xa') == xa"
    max_score: float | None = Field(default=None, gt=0)  # a scored criterion
    evidence: bool = False               # criterion carries an evidence note (minh chứng)
    fields: list["FieldSpec"] | None = None  # repeat: the columns of each row
    min_rows: int = Field(default=0, ge=0)
    repeat_count: str | None = None      # repeat: its number of rows comes from this expression, e.g. "so_ho"
    max_rows: int = Field(default=100, ge=1, le=1000)
    accept: str | None = None            # file: e.g. ".pdf,.jpg,.png,.docx"
    max_size_mb: float = Field(default=1.0, gt=0, le=20)
    group: str | None = None             # the group (of its section) this question belongs to

    @field_validator("min", "max", mode="before")
    @classmethod
    def _day_as_text(cls, value: Any) -> Any:
        """YAML reads an unquoted 2026-01-01 as a date: keep it as the text a bound is written in."""
        return value.strftime("%d/%m/%Y") if isinstance(value, date) else value

    @property
    def is_number(self) -> bool:
        return self.type in ("integer", "decimal")

    @property
    def number_min(self) -> float | None:
        """`min` of a number field (None when unset or not a number: the loader reports that)."""
        return self.min if isinstance(self.min, (int, float)) else None

    @property
    def number_max(self) -> float | None:
        """`max` of a number field (None when unset or not a number: the loader reports that)."""
        return self.max if isinstance(self.max, (int, float)) else None

    @property
    def evidence_name(self) -> str:
        return f"{self.name}__evidence"


class Group(_Strict):
    """A titled block of consecutive questions inside a section, shown only when `relevant` holds.

    Its questions keep their own names (the data stays flat) and name it with `group:`.
    """

    name: str = Field(pattern=NAME_PATTERN)
    title: str = Field(min_length=1)
    hint: str = ""
    relevant: str | None = None


class Section(_Strict):
    """A titled group of fields; a criteria group when it carries `max_score`."""

    name: str = Field(pattern=NAME_PATTERN)
    title: str = Field(min_length=1)
    hint: str = ""
    relevant: str | None = None
    max_score: float | None = Field(default=None, gt=0)
    groups: list[Group] = Field(default_factory=list)
    fields: list[FieldSpec] = Field(min_length=1)


class ClassBand(_Strict):
    """A class such as "Tốt": totals from `from` (inclusive) to `below` (exclusive)."""

    label: str = Field(min_length=1)
    from_: float = Field(alias="from", ge=0)
    below: float | None = None           # omitted for the top class (up to the maximum)


class Scoring(_Strict):
    """How a total score maps to a class (xếp loại)."""

    total_max: float = Field(default=100, gt=0)
    classes: list[ClassBand] = Field(min_length=1)
    ineligible_when: str | None = None      # expression: unit cannot be classed
    ineligible_label: str = "Không đủ điều kiện xếp loại"


class FormTemplate(_Strict):
    """A whole form, versioned: `id` + `version`; `applies_from` picks it by year."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: int = Field(ge=1)
    applies_from: int | None = Field(default=None, ge=2000, le=2100)
    title: str = Field(min_length=1)
    code: str = ""                        # "Biểu số" printed on outputs
    description: str = ""
    example: bool = False                 # an editable example, not official criteria
    sections: list[Section] = Field(min_length=1)
    scoring: Scoring | None = None

    _source_text: str = PrivateAttr(default="")
    _path: str = PrivateAttr(default="")
    _engine: Any = PrivateAttr(default=None)  # forms.engine.FormEngine.of: one compiled engine per version

    @property
    def source_text(self) -> str:
        """The YAML text this template was loaded from (stored by version)."""
        return self._source_text

    @property
    def path(self) -> str:
        return self._path

    def all_fields(self) -> list[FieldSpec]:
        """Top-level fields in order (repeat sub-fields stay inside their group)."""
        return [f for s in self.sections for f in s.fields]

    def field(self, name: str) -> FieldSpec:
        for f in self.all_fields():
            if f.name == name:
                return f
        raise KeyError(name)

    def score_fields(self) -> list[FieldSpec]:
        return [f for f in self.all_fields() if f.max_score is not None]

    def section_of(self, name: str) -> Section:
        for s in self.sections:
            if any(f.name == name for f in s.fields):
                return s
        raise KeyError(name)

    def classify(self, total: float | None) -> str | None:
        """The class label for a total, or None without scoring or total."""
        if self.scoring is None or total is None:
            return None
        for band in self.scoring.classes:
            if total >= band.from_ and (band.below is None or total < band.below):
                return band.label
        return None


FieldSpec.model_rebuild()
