"""One problem found in a filled workbook, printed as `tệp.xlsx › sheet › ô C14 › «label»: message`."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ImportProblem"]


@dataclass(frozen=True)
class ImportProblem:
    """Where (file, sheet, cell, the field's label) and what (a Vietnamese message naming the rule).

    `field` is the engine's data key (e.g. "nguon_luc[2].so_tien") when the
    problem belongs to one answer; sheet and cell are None for file-level problems.
    """

    file: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    label: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(self.sheet)
        if self.cell:
            where.append(f"ô {self.cell}")
        text = " › ".join(where)
        return f"{text} › «{self.label}»: {self.message}" if self.label else f"{text}: {self.message}"
