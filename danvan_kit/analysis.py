"""A period's data as pandas DataFrames, for analysts' own tables and charts.

`frames` reads the store once (as the system analyst, so run it where you are
allowed to see every unit: JupyterLab on the server, never a Voilà page) and
returns the same figures the workbooks show, each numeric column with its
aggregation rule; `totals` applies those rules, so a percentage is averaged and
a rate is recomputed from the summed figures instead of being added up.
"""
from __future__ import annotations

from typing import Any

__all__ = ["frames", "totals"]

# Aggregation rules of the numeric columns of "so_lieu" (frames(...)["so_lieu"].attrs["rules"]).
SUM, MEAN, CALC, COUNT_YES = "sum", "mean", "calc", "count_yes"

# The forms behind the frames built in this process, by (id, version): `totals` needs the form's
# calculations, and DataFrame.attrs only keep plain values (they are deep-copied by every pandas
# operation and written as JSON by to_parquet).
_FORMS: dict[tuple[str, int], Any] = {}


def frames(period_id: str, *, store: Any = None, catalog: Any = None) -> dict[str, Any]:
    """DataFrames for one period, keyed by name.

    - "trang_thai": one row per reporting unit (Vietnamese order): mã, đơn vị,
      tình trạng, nộp lúc, đúng hạn, số ngày trễ, duyệt.
    - "so_lieu": one row per submission (unit, and model number for Dân vận
      khéo) with a column per field of the form (numbers as numbers, dates as
      ISO text); `df.attrs["labels"]` maps each column to its Vietnamese label and
      `df.attrs["rules"]` maps each numeric column (numbers and yes/no) to how it
      adds up: "sum", "mean", "calc" or "count_yes" (see `totals`, which applies them);
      `df.attrs["form"]` and `df.attrs["form_version"]` name the form of the columns.
    - "diem" (self-assessment periods only): one row per unit: each criteria
      group, self total, reviewer total, final total, class, rank.
    - "so_sanh": the desk's comparison with the same period last year, one row per
      indicator: khoa, chi_tieu, dvt, quy_tac (heading, sum, mean or calc:…),
      ky_nay, cung_ky_nam_truoc, thay_doi (figures.compare.year_on_year).

    The desk's charts are these frames drawn with pandas' own plotting (matplotlib), e.g.
    `f["so_sanh"].query("quy_tac == 'sum'").head(8).plot.barh(x="chi_tieu", y=["ky_nay",
    "cung_ky_nam_truoc"])`; analysis/bieu_do_tong_hop.ipynb draws every one of them.

    Example (in JupyterLab): `frames("2026-6t")["so_lieu"].describe()`, or
    `totals(frames("2026-6t")["so_lieu"])` for the period's totals.
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
        data = gather(catalog, store, period_id, with_companions=False, with_previous=True)
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
    figures.attrs["rules"] = _rules(data.form)
    figures.attrs["form"], figures.attrs["form_version"] = data.form.id, data.form.version
    _FORMS[(data.form.id, data.form.version)] = data.form
    out = {"trang_thai": status, "so_lieu": figures, "so_sanh": _compared(data)}
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


def _compared(data: Any) -> Any:
    """The desk's year-on-year table as a DataFrame (one home: figures.compare)."""
    import pandas as pd

    from .figures.compare import year_on_year

    return pd.DataFrame([{"khoa": c.indicator.key, "chi_tieu": c.indicator.label, "dvt": c.indicator.unit,
                          "quy_tac": c.indicator.rule, "ky_nay": None if c.heading else c.value,
                          "cung_ky_nam_truoc": c.last, "thay_doi": c.change} for c in year_on_year(data)],
                        columns=["khoa", "chi_tieu", "dvt", "quy_tac", "ky_nay", "cung_ky_nam_truoc", "thay_doi"])


def totals(so_lieu: Any) -> Any:
    """One total per numeric column of `frames(...)["so_lieu"]`, each by its rule.

    The rule of a column is in `so_lieu.attrs["rules"]`:

    - "sum": counts and amounts (số cuộc, số hồ sơ, kinh phí) are added up.
    - "mean": percentages typed by the units (Tỷ lệ người dân hài lòng) are
      averaged over the rows that give one, since adding 92,5 % and 80 % means
      nothing; so are the criteria scores and the total of a self-assessment.
    - "calc": calculated fields (a rate such as "Tỷ lệ giải quyết đúng hạn")
      are recomputed with the form's own calculation on the summed figures
      (`figures.sums.calculated_totals`): a rate of the totals, weighted by each
      unit's size, not a mean of rates. A calculated field reading anything
      but summed figures (the rows of a table, a percentage) is summed or
      averaged as stored instead.
    - "count_yes": a yes/no question counts the rows answering "Có".

    The values equal the consolidated workbook's figures for the period (a mean
    is not rounded here; the workbook shows it to 2 decimals). Pass a subset of
    the rows to total only those (e.g. `totals(so_lieu[so_lieu.ma.str.startswith("XA-")])`):
    rates are then recomputed from that subset's sums.

    Returns a float Series indexed by column name (NaN where there is nothing to
    total: no unit gave a percentage, a rate over zero), with the frame's
    "labels" and "rules" in its attrs; `.rename(so_lieu.attrs["labels"])` shows
    the Vietnamese labels.
    """
    import pandas as pd

    rules = {name: rule for name, rule in so_lieu.attrs.get("rules", {}).items() if name in so_lieu.columns}
    values: dict[str, float | None] = {}
    for name, rule in rules.items():
        if rule == COUNT_YES:
            values[name] = float(so_lieu[name].eq(True).sum())
        elif rule in (SUM, MEAN):
            numbers = pd.to_numeric(so_lieu[name], errors="coerce")
            values[name] = float(numbers.sum()) if rule == SUM else numbers.mean()
    calculated = [name for name, rule in rules.items() if rule == CALC]
    if calculated:
        from .figures.sums import calculated_totals

        form = _form_of(so_lieu.attrs)
        summed = {f.name: values[f.name] for f in form.all_fields()
                  if rules.get(f.name) == SUM and not f.calculation}
        recomputed = calculated_totals(form, summed)
        values.update({name: recomputed.get(name) for name in calculated})
    out = pd.Series([values[name] for name in rules], index=list(rules), dtype="float64", name="tong")
    out.attrs = {"labels": {k: v for k, v in so_lieu.attrs.get("labels", {}).items() if k in rules},
                 "rules": rules}
    return out


def _rules(form: Any) -> dict[str, str]:
    """The aggregation rule of each number and yes/no field of `form` (see `totals`)."""
    from .figures.sums import is_percent
    from .forms.engine import FormEngine

    fields = [f for f in form.all_fields() if f.is_number or f.type == "yes_no"]
    scored = form.scoring is not None
    summed = {f.name for f in fields if f.is_number and not f.calculation and not is_percent(f)
              and f.max_score is None}
    reads = {f.name: FormEngine.of(form).expr(f.calculation).names
             for f in fields if f.is_number and f.calculation and not scored}
    recomputable = set(reads)
    while True:  # a calculation reading another calculation is recomputed only if that one is
        kept = {name for name in recomputable if reads[name] <= summed | recomputable}
        if kept == recomputable:
            break
        recomputable = kept
    rules: dict[str, str] = {}
    for f in fields:
        if f.type == "yes_no":
            rules[f.name] = COUNT_YES
        elif f.name in recomputable:
            rules[f.name] = CALC
        elif is_percent(f) or f.max_score is not None or (scored and f.calculation):
            rules[f.name] = MEAN
        else:
            rules[f.name] = SUM
    return rules


def _form_of(attrs: dict[str, Any]) -> Any:
    """The form a "so_lieu" frame was built from (the shipped catalog's, if not built in this process)."""
    key = (attrs["form"], attrs["form_version"])
    if key not in _FORMS:
        from .catalog.loading import load_catalog

        _FORMS[key] = load_catalog().form(*key)
    return _FORMS[key]
