"""How the template types say what their YAML may hold, without importing pydantic.

The types read from templates/ (the forms, the organisation tree, the calendar, the Word index)
are standard-library dataclasses. A page's kernel receives them from its server already checked
(store/remote.py) and so never imports pydantic, about 7 MB of every kernel (bench/form_load.py).
pydantic checks a file's data against the same dataclasses when the file is read
(`forms.yamlfile.load_model`): `Check(...)` in an annotation carries pydantic's field constraints,
and `FromFile` refuses unknown keys and lets a type reshape its file data first (`_from_file`).
Both import pydantic only when a file is checked.
"""
from __future__ import annotations

from typing import Annotated, Any

__all__ = ["Check", "FromFile"]


class Check:
    """Constraints on one field, as pydantic's `Field()` takes them: `Check(min_length=1, pattern=...)`."""

    __slots__ = ("constraints",)

    def __init__(self, **constraints: Any) -> None:
        self.constraints = constraints

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic import Field

        return handler(Annotated[source, Field(**self.constraints)])


class FromFile:
    """Base of a dataclass read from a template file: unknown keys are refused, naming the key."""

    __pydantic_config__ = {"extra": "forbid"}

    @classmethod
    def _from_file(cls, data: Any) -> Any:
        """The file's data for this type, reshaped before it is checked (a subclass overrides it)."""
        return data

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        schema = handler(source)
        if cls._from_file.__func__ is FromFile._from_file.__func__:   # type: ignore[attr-defined]
            return schema
        return core_schema.no_info_before_validator_function(cls._from_file, schema)
