"""A period's data as pandas DataFrames, for analysts' own tables and charts.

One documented function, `frames`, reads the store once (as the system analyst,
so run it where you are allowed to see every unit: JupyterLab on the server,
never a Voilà page) and returns the same figures the workbooks show.
"""
from __future__ import annotations

from typing import Any

__all__ = ["frames"]


def frames(period_id: str, *, store: Any = None, catalog: Any = None) -> dict[str, Any]:
    """DataFrames for one period, keyed by name.

    - "trang_thai": one row per reporting unit (Vietnamese order): mã, đơn vị,
      tình trạng, nộp lúc, đúng hạn, số ngày trễ, duyệt.
    - "so_lieu": one row per submission (unit, and model number for Dân vận
      khéo) with a column per field of the form (numbers as numbers, dates as
      ISO text); `df.attrs["labels"]` maps each column to its Vietnamese label.
    - "diem" (self-assessment periods only): one row per unit: each criteria
      group, self total, reviewer total, final total, class, rank.

    Example (in JupyterLab): `frames("2026-6t")["so_lieu"].describe()`.
    """
    import pandas as pd

    from .catalog.loading import load_catalog
    from .figures.period import gather
    from .figures.scores import period_scores
    from .store import STATUS_LABELS, Store

    catalog = catalog or load_catalog()
    own_store = store is None
    store = store or Store.open()
    try:
        data = gather(catalog, store, period_id, with_companions=False)
    finally:
        if own_store:
            store.close()
    status = pd.DataFrame([{
        "ma": u.code, "don_vi": u.name,
        "tinh_trang": STATUS_LABELS.get(u.status.state, u.status.state) if u.status else "",
        "nop_luc": u.status.submitted_at if u.status else None,
        "dung_han": u.status.on_time if u.status else None,
        "so_ngay_tre": u.status.days_late if u.status else None,
        "duyet": STATUS_LABELS.get(u.status.review_state or "", "") if u.status else "",
    } for u in data.units])
    columns = [f for f in data.form.all_fields() if f.type not in ("note", "file", "repeat")]
    figures = pd.DataFrame([{"ma": unit.code, "don_vi": unit.name, "muc": entry.item,
                             **{f.name: entry.data.get(f.name) for f in columns}}
                            for unit, entry in data.entries],
                           columns=["ma", "don_vi", "muc", *[f.name for f in columns]])
    figures.attrs["labels"] = {f.name: f.label for f in columns}
    out = {"trang_thai": status, "so_lieu": figures}
    if data.form.scoring is not None:
        groups = [s for s in data.form.sections if any(f.max_score for f in s.fields)]
        out["diem"] = pd.DataFrame([{
            "ma": unit.code, "don_vi": unit.name,
            **{g.name: score.groups.get(g.name) for g in groups},
            "tu_cham": score.self_total, "tham_dinh": score.reviewer_total, "diem_cuoi": score.final,
            "xep_loai": score.label, "hang": score.rank,
        } for unit, score in zip(data.units, period_scores(data))])
        out["diem"].attrs["labels"] = {g.name: g.title for g in groups}
    return out
