"""Submission store benchmark on a temporary SQLite file.

Prints, in one run: submit and draft latency (median, p95) through the Store,
concurrent throughput with several processes, and the same row inserted with
the bare sqlite3 module under the same pragmas (the floor), with the ratios.

    .venv/bin/python bench/store.py [--n 300] [--procs 8] [--per-proc 100]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from danvan_kit.catalog.calendar import load_calendar  # noqa: E402
from danvan_kit.catalog.organisation import load_organisation  # noqa: E402
from danvan_kit.store import Store  # noqa: E402
from danvan_kit.store.engine import dumps  # noqa: E402

FORM, PERIOD = "bao-cao-dinh-ky", "2026-6t"
# About the size of a real six-month report: ~40 fields, some narrative.
DATA = {f"so_lieu_{i}": i * 7 for i in range(30)} | {
    "ket_qua_dat_duoc": "Công tác dân vận chính quyền có chuyển biến tích cực; " * 8,
    "ton_tai_han_che": "Một số ấp còn lúng túng khi tổ chức đối thoại với Nhân dân. " * 4,
    "phuong_huong": "Tập huấn kỹ năng dân vận cho cán bộ ấp trong quý III. " * 4,
    "nguoi_lap": "Nguyễn Thị Hồng Nhung",
}
FLOOR_SCHEMA = """CREATE TABLE IF NOT EXISTS revisions (
    id INTEGER PRIMARY KEY, submission_id INTEGER NOT NULL, number INTEGER NOT NULL, kind TEXT NOT NULL,
    data TEXT NOT NULL, template_version INTEGER NOT NULL, author TEXT NOT NULL, created_at TEXT NOT NULL,
    on_time INTEGER, days_late INTEGER NOT NULL, attempt_id TEXT UNIQUE)"""


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def setup_store(folder: Path) -> tuple[str, list[str]]:
    org = load_organisation(ROOT / "templates" / "organisation" / "hon-quan-2023.yaml")
    cal = load_calendar(ROOT / "templates" / "periods" / "lich-bao-cao.yaml")
    store = Store.open(data_dir=folder)
    store.migrate()
    store.load_reference(org, cal, [(FORM, 1, "Báo cáo", "id: bao-cao-dinh-ky")])
    units = [u.code for u in org.reporting_units()]
    for code in units:
        store.create_account(code.lower(), role="unit", unit_code=code)
    url = store.url
    store.close()
    return url, units


def floor_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    for pragma in ("busy_timeout = 30000", "journal_mode = WAL", "synchronous = FULL"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute(FLOOR_SCHEMA)
    return conn


def floor_insert(conn: sqlite3.Connection, tag: str, i: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO revisions (submission_id, number, kind, data, template_version, author, created_at, "
                 "on_time, days_late, attempt_id) VALUES (?, ?, 'submitted', ?, 1, ?, ?, 1, 0, ?)",
                 (1, i, dumps(DATA | {"i": i}), tag, time.strftime("%Y-%m-%d %H:%M:%S"), f"{tag}-{i}"))
    conn.execute("COMMIT")


def store_latencies(url: str, unit: str, n: int) -> tuple[list[float], list[float]]:
    submits, drafts = [], []
    with Store.open(url) as store:
        me = store.account(unit.lower())
        for i in range(n):
            t = time.perf_counter()
            store.submit(me, unit, FORM, PERIOD, DATA | {"i": i}, template_version=1, attempt_id=f"lat-{i}")
            submits.append(time.perf_counter() - t)
            t = time.perf_counter()
            store.save_draft(me, unit, FORM, PERIOD, DATA | {"i": i, "draft": True}, template_version=1)
            drafts.append(time.perf_counter() - t)
    return submits, drafts


def floor_latencies(path: Path, n: int) -> list[float]:
    conn = floor_connect(path)
    out = []
    for i in range(n):
        t = time.perf_counter()
        floor_insert(conn, "lat", i)
        out.append(time.perf_counter() - t)
    conn.close()
    return out


def _store_worker(url: str, unit: str, per_proc: int, barrier) -> tuple[float, float]:
    with Store.open(url) as store:
        me = store.account(unit.lower())
        barrier.wait()
        start = time.monotonic()
        for i in range(per_proc):
            store.submit(me, unit, FORM, PERIOD, DATA | {"i": i}, template_version=1,
                         attempt_id=f"tp-{unit}-{i}")
        return start, time.monotonic()


def _floor_worker(path: str, tag: str, per_proc: int, barrier) -> tuple[float, float]:
    conn = floor_connect(Path(path))
    barrier.wait()
    start = time.monotonic()
    for i in range(per_proc):
        floor_insert(conn, tag, i)
    end = time.monotonic()
    conn.close()
    return start, end


def throughput(worker, args_for, procs: int, per_proc: int) -> float:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Manager().Barrier(procs)
    with ctx.Pool(procs) as pool:
        spans = pool.starmap(worker, [(*args_for(k), per_proc, barrier) for k in range(procs)])
    return procs * per_proc / (max(e for _, e in spans) - min(s for s, _ in spans))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="sequential writes for the latency figures")
    parser.add_argument("--procs", type=int, default=8, help="concurrent writer processes")
    parser.add_argument("--per-proc", type=int, default=100, help="writes per process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="danvan-bench-") as tmp:
        folder = Path(tmp)
        url, units = setup_store(folder / "store")
        floor_path = folder / "floor.sqlite3"
        floor_connect(floor_path).close()
        print(f"SQLite {sqlite3.sqlite_version}, WAL, synchronous=FULL; payload {len(dumps(DATA))} bytes of JSON; "
              f"{multiprocessing.cpu_count()} CPUs")
        submits, drafts = store_latencies(url, units[0], args.n)
        floor = floor_latencies(floor_path, args.n)
        rows = [("store submit", submits), ("store save_draft", drafts), ("bare sqlite3 INSERT", floor)]
        print(f"\nLatency, {args.n} sequential writes (ms):")
        print(f"  {'':22}{'median':>9}{'p95':>9}")
        for name, values in rows:
            print(f"  {name:22}{statistics.median(values) * 1000:9.2f}{pct(values, 0.95) * 1000:9.2f}")
        ratio_med = statistics.median(submits) / statistics.median(floor)
        ratio_p95 = pct(submits, 0.95) / pct(floor, 0.95)
        print(f"  submit / floor: median x{ratio_med:.2f}, p95 x{ratio_p95:.2f}")

        procs = min(args.procs, len(units) - 1)
        ours = throughput(_store_worker, lambda k: (url, units[k + 1]), procs, args.per_proc)
        bare = throughput(_floor_worker, lambda k: (str(floor_path), f"tp{k}"), procs, args.per_proc)
        print(f"\nConcurrent throughput, {procs} processes x {args.per_proc} submits (commits/s):")
        print(f"  store submit          {ours:9.0f}")
        print(f"  bare sqlite3 INSERT   {bare:9.0f}")
        print(f"  store / floor: x{ours / bare:.2f} of the floor's throughput")
        with Store.open(url) as store:
            total = len(store.history(store.system_actor(), units[0], FORM, PERIOD))
        assert total == 2 * args.n, total
        print(json.dumps({"submit_median_ms": round(statistics.median(submits) * 1000, 2),
                          "submit_p95_ms": round(pct(submits, 0.95) * 1000, 2),
                          "floor_median_ms": round(statistics.median(floor) * 1000, 2),
                          "throughput_store": round(ours), "throughput_floor": round(bare)}))


if __name__ == "__main__":
    main()
