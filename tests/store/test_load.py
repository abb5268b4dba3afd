"""Load: 40 processes, one unit each, drafts and submits mixed, 25 writes each, all at once.

Every write must be there exactly once and no error ("database is locked" or
any other) may reach a caller.
"""
from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import func, select
from storekit import FORMS, synthetic_organisation

from danvan_kit.store import Store
from danvan_kit.store.tables import audit_log, revisions, submissions

PROCESSES, WRITES = 40, 25


def _writer(url: str, login: str, unit: str) -> dict:
    """One unit's member of staff: autosaves, submits, re-sends a submit now and then."""
    made, duplicates, errors = [], 0, []
    with Store.open(url) as store:
        me = store.account(login)
        for i in range(WRITES):
            data = {"unit": unit, "i": i, "ghi_chu": f"Lần ghi {i} của {unit}"}
            try:
                if i % 3 == 0:
                    rev = store.save_draft(me, unit, "bao-cao-dinh-ky", "2026-6t", data, template_version=1)
                    made.append((rev.id, None))
                else:
                    form, period, item = ("bao-cao-dinh-ky", "2026-6t", "") if i % 3 == 1 else \
                        ("dan-van-kheo", "2026-dvk", str(i % 2 + 1))
                    attempt = f"{unit}-{i}"
                    res = store.submit(me, unit, form, period, data, template_version=1, attempt_id=attempt,
                                       item=item)
                    made.append((res.revision.id, attempt))
                    if i % 4 == 1:  # a double click
                        again = store.submit(me, unit, form, period, data, template_version=1,
                                             attempt_id=attempt, item=item)
                        assert again.duplicate and again.revision.id == res.revision.id
                        duplicates += 1
            except Exception as exc:  # noqa: BLE001 - the test counts every error a user would see
                errors.append(f"{type(exc).__name__}: {exc}")
    return {"made": made, "duplicates": duplicates, "errors": errors}


@pytest.mark.slow
def test_forty_units_writing_at_once_lose_nothing_and_duplicate_nothing(store, calendar):
    org = synthetic_organisation(PROCESSES)
    store.load_reference(org, calendar, FORMS)
    units = [u.code for u in org.reporting_units() if u.code != "HUB"]
    for code in units:
        store.create_account(code.lower(), role="unit", unit_code=code)
    store.engine.dispose()  # nothing open crosses the fork
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(PROCESSES) as pool:
        results = pool.starmap(_writer, [(store.url, code.lower(), code) for code in units])

    errors = [e for r in results for e in r["errors"]]
    assert errors == []
    made = [m for r in results for m in r["made"]]
    assert len(made) == PROCESSES * WRITES
    with store.engine.connect() as conn:
        ids = [r.id for r in conn.execute(select(revisions.c.id))]
        attempts = [r.attempt_id for r in conn.execute(select(revisions.c.attempt_id))
                    if r.attempt_id is not None]
        per_sub = conn.execute(select(submissions.c.id, submissions.c.revision_count,
                                      func.count(revisions.c.id), func.min(revisions.c.number),
                                      func.max(revisions.c.number))
                               .join(revisions, revisions.c.submission_id == submissions.c.id)
                               .group_by(submissions.c.id, submissions.c.revision_count)).all()
        audit_ok = conn.execute(select(func.count()).select_from(audit_log).where(
            audit_log.c.outcome == "ok", audit_log.c.action.in_(["save_draft", "submit"]))).scalar()
        audit_dup = conn.execute(select(func.count()).select_from(audit_log).where(
            audit_log.c.outcome == "duplicate")).scalar()
    assert sorted(ids) == sorted(rev_id for rev_id, _ in made)  # each write exactly once
    assert sorted(attempts) == sorted(a for _, a in made if a)
    assert len(set(attempts)) == len(attempts)
    for _sub, count, rows, low, high in per_sub:
        assert (rows, low, high) == (count, 1, count)  # numbers 1..n, no gap, no collision
    assert audit_ok == PROCESSES * WRITES
    assert audit_dup == sum(r["duplicates"] for r in results) > 0
