"""The form template schema: what an analyst may write in templates/forms/*.yaml.

Pydantic checks the shape (types, unknown keys) when a file is read (forms/filetypes.py);
`check_form` then checks the meaning (duplicate names, expressions, scores, class thresholds)
so that every problem names the file and the field. Number fields are non-negative unless the
template sets `min` explicitly (counts are the common case). The types are plain dataclasses,
so a page's kernel holds a form without pydantic.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal, cast

from .filetypes import Check, FromFile

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


Name = Annotated[str, Check(pattern=NAME_PATTERN)]
Title = Annotated[str, Check(min_length=1)]
Positive = Annotated[float | None, Check(gt=0)]


@dataclass(kw_only=True)
class Choice(FromFile):
    """One option of a select field: stored `value`, shown `label`; any other key (e.g. `xa: an_phu`)
    is one of its `properties`, which a `choice_filter` reads with option('xa')."""

    value: Annotated[str, Check(min_length=1, max_length=100)]
    label: Annotated[str, Check(min_length=1, max_length=300)]
    properties: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def _from_file(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        own = {k: data[k] for k in ("value", "label") if k in data}
        return own | {"properties": {k: v for k, v in data.items() if k not in own}}


@dataclass(kw_only=True)
class FieldSpec(FromFile):
    """One question. See README "Tuỳ chỉnh" for worked examples of each key."""

    name: Name
    type: FieldType
    label: Annotated[str, Check(min_length=1, max_length=500)]
    hint: str = ""
    unit: str = ""                       # shown after a number box, e.g. "cuộc", "lượt"
    required: bool = False
    required_message: str | None = None
    # numbers: smallest / largest value (min defaults to 0); dates: a day (dd/mm/yyyy), `today`
    # (today in Vietnam) or an expression, e.g. `max: today`, `min: ngay_bat_dau` (forms/bounds.py)
    min: float | str | None = None
    max: float | str | None = None
    step: Positive = None                # numbers: only whole steps from min, e.g. 0.5 (halves)
    max_length: Annotated[int | None, Check(ge=1, le=1_000_000)] = None
    constraint: str | None = None        # expression that must hold, e.g. "da_giai_quyet <= tiep_nhan"
    constraint_message: str | None = None
    relevant: str | None = None          # show only when this expression is true
    calculation: str | None = None       # computed, read-only
    default: Any = None
    choices: list[Choice] | None = None
    choice_filter: str | None = None     # only the options for which this holds, e.g. "option('xa') == xa"
    max_score: Positive = None           # a scored criterion
    evidence: bool = False               # criterion carries an evidence note (minh chứng)
    fields: list["FieldSpec"] | None = None  # repeat: the columns of each row
    min_rows: Annotated[int, Check(ge=0)] = 0
    repeat_count: str | None = None      # repeat: its number of rows comes from this expression, e.g. "so_ho"
    max_rows: Annotated[int, Check(ge=1, le=1000)] = 100
    accept: str | None = None            # file: e.g. ".pdf,.jpg,.png,.docx"
    max_size_mb: Annotated[float, Check(gt=0, le=20)] = 1.0
    group: str | None = None             # the group (of its section) this question belongs to

    @classmethod
    def _from_file(cls, data: Any) -> Any:
        """YAML reads an unquoted 2026-01-01 as a date: keep a bound as the text it is written in."""
        if isinstance(data, dict) and any(isinstance(data.get(k), date) for k in ("min", "max")):
            data = {k: v.strftime("%d/%m/%Y") if k in ("min", "max") and isinstance(v, date) else v
                    for k, v in data.items()}
        return data

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


@dataclass(kw_only=True)
class Group(FromFile):
    """A titled block of consecutive questions inside a section, shown only when `relevant` holds.

    Its questions keep their own names (the data stays flat) and name it with `group:`.
    """

    name: Name
    title: Title
    hint: str = ""
    relevant: str | None = None


@dataclass(kw_only=True)
class Section(FromFile):
    """A titled group of fields; a criteria group when it carries `max_score`."""

    name: Name
    title: Title
    hint: str = ""
    relevant: str | None = None
    max_score: Positive = None
    groups: list[Group] = field(default_factory=list)
    fields: Annotated[list[FieldSpec], Check(min_length=1)]


@dataclass(kw_only=True)
class ClassBand(FromFile):
    """A class such as "Tốt": totals from `from` (inclusive) to `below` (exclusive)."""

    label: Title
    from_: Annotated[float, Check(ge=0)]   # written `from:` in the file (a Python keyword)
    below: float | None = None           # omitted for the top class (up to the maximum)

    @classmethod
    def _from_file(cls, data: Any) -> Any:
        if isinstance(data, dict) and "from" in data and "from_" not in data:
            data = {("from_" if k == "from" else k): v for k, v in data.items()}
        return data


@dataclass(kw_only=True)
class Scoring(FromFile):
    """How a total score maps to a class (xếp loại)."""

    total_max: Annotated[float, Check(gt=0)] = 100
    classes: Annotated[list[ClassBand], Check(min_length=1)]
    ineligible_when: str | None = None      # expression: unit cannot be classed
    ineligible_label: str = "Không đủ điều kiện xếp loại"


@dataclass(kw_only=True)
class FormTemplate(FromFile):
    """A whole form, versioned: `id` + `version`; `applies_from` picks it by year."""

    id: Annotated[str, Check(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    version: Annotated[int, Check(ge=1)]
    applies_from: Annotated[int | None, Check(ge=2000, le=2100)] = None
    title: Title
    code: str = ""                        # "Biểu số" printed on outputs
    description: str = ""
    example: bool = False                 # an editable example, not official criteria
    sections: Annotated[list[Section], Check(min_length=1)]
    scoring: Scoring | None = None

    # Not fields (no annotation): set by the loader, kept out of equality and of copies.
    _source_text = ""
    _path = ""
    _engine = cast(Any, None)  # forms.engine.FormEngine.of: one compiled engine per version

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (a server hands its kernels the catalog) without the compiled engine."""
        return {k: v for k, v in self.__dict__.items() if k != "_engine"}

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

