"""Small bar charts drawn in HTML: no plotting library in the page, and they print."""
from __future__ import annotations

from typing import Sequence

from ..forms.numbers import format_number
from ..markup import esc

__all__ = ["bar_chart"]

COLOURS = ("#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a")


def bar_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], unit: str = "") -> str:
    """Horizontal bars, one group per label and one bar per series (e.g. this year and last year)."""
    values = [v for vs in series.values() for v in vs if v is not None]
    top = max(values, default=0) or 1
    legend = " ".join(f'<span style="color:{COLOURS[i % len(COLOURS)]}">■</span> {esc(name)}'
                      for i, name in enumerate(series)) if len(series) > 1 else ""
    rows = []
    for j, label in enumerate(labels):
        bars = []
        for i, vs in enumerate(series.values()):
            v = vs[j]
            width = 0 if v is None else max(0.5, 100 * v / top)
            text = "—" if v is None else format_number(v) + (f" {unit}" if unit else "")
            bars.append(f'<div style="display:flex;align-items:center;height:14px">'
                        f'<div style="background:{COLOURS[i % len(COLOURS)]};width:{width:.1f}%;height:11px"></div>'
                        f'<span style="font-size:11px;margin-left:4px">{esc(text)}</span></div>')
        rows.append(f'<tr><td style="padding-right:8px;white-space:nowrap">{esc(label)}</td>'
                    f'<td style="width:70%">{"".join(bars)}</td></tr>')
    return (f'<div class="dv-chart"><b>{esc(title)}</b> {legend}'
            f'<table style="width:100%;border-collapse:collapse">{"".join(rows)}</table></div>')
