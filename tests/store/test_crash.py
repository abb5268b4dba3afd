"""Crash: a writer SIGKILLed mid-transaction leaves the store consistent and every acknowledged revision intact."""
from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time

import pytest
from sqlalchemy import func, select, text
from storekit import REPORT

from danvan_kit.store import Store
from danvan_kit.store.tables import audit_log, revisions, submissions

FORM, PERIOD = REPORT
ROUNDS = 6


def _endless_writer(url: str, login: str, start: int, pipe) -> None:
    """Write forever, acknowledging each revision only after its COMMIT (like a web request)."""
    store = Store.open(url)
    me = store.account(login)
    i = start
    while True:
        data = {"i": i, "van_ban": "Nội dung " * random.randint(1, 400)}
        if i % 4 == 3:
            store.save_draft(me, me.unit_code, FORM, PERIOD, data, template_version=1)
        else:
            # The same attempt id for the same i: a retry after a crash is a duplicate, never a second copy.
            data = {"i": i}
            store.submit(me, me.unit_code, FORM, PERIOD, data, template_version=1, attempt_id=f"crash-{i}")
        pipe.send(i)
        i += 1


@pytest.mark.slow
def test_a_writer_killed_mid_transaction_leaves_every_acknowledged_revision(store, unit_a, db_url):
    ctx = multiprocessing.get_context("fork")
    acknowledged: list[int] = []
    rng = random.Random(33)
    for _ in range(ROUNDS):
        store.engine.dispose()
        receive, send = ctx.Pipe(duplex=False)
        start = acknowledged[-1] + 1 if acknowledged else 0
        child = ctx.Process(target=_endless_writer, args=(store.url, unit_a.login, start, send))
        child.start()
        send.close()
        wanted = len(acknowledged) + rng.randint(3, 25)
        while len(acknowledged) < wanted:
            acknowledged.append(receive.recv())
        time.sleep(rng.random() * 0.01)
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        while receive.poll():
            try:
                acknowledged.append(receive.recv())
            except EOFError:
                break
        receive.close()

    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        sub = conn.execute(select(submissions)).one()
        revs = conn.execute(select(revisions).order_by(revisions.c.number)).all()
        audited = conn.execute(select(func.count()).select_from(audit_log).where(
            audit_log.c.outcome == "ok", audit_log.c.action.in_(["save_draft", "submit"]))).scalar()
    assert [r.number for r in revs] == list(range(1, len(revs) + 1))
    assert sub.revision_count == len(revs) and sub.last_revision_id == revs[-1].id
    assert sub.last_submitted_revision_id == max(r.id for r in revs if r.kind == "submitted")
    assert audited == len(revs)  # the audit entry commits with its revision, or neither does
    stored = {r.data["i"] for r in revs}
    assert set(acknowledged) <= stored
    submitted_i = [r.data["i"] for r in revs if r.kind == "submitted"]
    assert len(submitted_i) == len(set(submitted_i))  # retried attempts never made a second copy
    # The store keeps working after the crashes.
    after = store.submit(unit_a, "XA-AN-PHU", FORM, PERIOD, {"i": -1}, template_version=1, attempt_id="after")
    assert after.revision.number == len(revs) + 1
