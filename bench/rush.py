"""The deadline rush: N staff of different units submit at the same moment on one `danvan serve`.

Starts our Voilà (voila.json as shipped, a fresh server for each N) over a copy of
notebooks/ and a fresh `danvan init --demo` store; for each N (default 1, 5, 10, 20): N Chromium
pages, one per unit, log in and open the 6-month report (which the demo has
already filed for every unit), change three figures, and then every page clicks
«Nộp báo cáo» within a few milliseconds of the others (the clicks are fired in
the pages themselves and timed there: click -> "Đã nộp thành công" shown).
N = 1 is the baseline of the same run. For each N it prints submit latency
p50/p95 (and ÷ the single user), errors (no success message within 120 s, or an
error message), submissions lost (each unit's latest revision in the store must
carry its new figures), the server's and the kernels' peak RSS during the rush,
and the workbook rebuilds the rush caused (worker log lines in app.log, and the
seconds from the last click until the consolidated workbook was rewritten).

    .venv/bin/python bench/rush.py [--sizes 1,5,10,20] [--db-url postgresql+psycopg:///danvan_rush]

With --db-url the store is that PostgreSQL database instead of SQLite: the bench drops
and creates it anew (so name a database kept for the bench); the server's store (which
the pages' kernels ask, store/remote.py) and the export worker reach it over their own pools.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import threading
import time
from pathlib import Path

from _voila_kit import Server, wait_until, workspace

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
PERIOD = "2026-6t"
SUCCESS = "Đã nộp thành công"
# The click and the success message, timed inside the page: every page's clock starts at its own click.
ARM = """(SUCCESS) => {
  window.__dvDone = null;
  const status = () => document.querySelector('.dv-form .dv-status');
  new MutationObserver(() => {
    const s = status();
    if (s && window.__dvDone === null && s.textContent.includes(SUCCESS)) window.__dvDone = performance.now();
    if (s && window.__dvDone === null && s.classList.contains('dv-status-error')) window.__dvDone = -1;
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""
CLICK = "() => { window.__dvStart = performance.now(); document.querySelector('.dv-submit').click(); }"


def fresh_database(url: str) -> None:
    """Drop and create the PostgreSQL database named in `url` (connected through its server's `postgres` db)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    if not target.drivername.startswith("postgresql") or not target.database:
        raise SystemExit("--db-url must name a PostgreSQL database, e.g. postgresql+psycopg:///danvan_rush")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def units(work: Path) -> list[str]:
    from danvan_kit.store import Store

    with Store.open(data_dir=work / "data") as store:
        return sorted(a.login for a in store.list_accounts() if a.role == "unit")


def open_form(browser, base: str, login: str, marker: int):
    """A logged-in page of `login` on the 6-month report with three figures changed (not yet submitted)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(180_000)
    page = context.new_page()
    page.goto(f"{base}/voila/render/bao_cao.ipynb?ky={PERIOD}")
    page.locator("#tai_khoan").fill(login)
    page.locator("#mat_khau").fill("demo123")
    page.locator("button[type=submit]").click()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"[:200]))
    try:
        page.locator(".dv-field-so_cuoc_kiem_tra input").wait_for()
    except Exception:
        text = page.evaluate("() => document.body.innerText")[:600]
        print(f"{login}: the form did not show; page text {text!r}; console:\n" + "\n".join(console[-15:]))
        raise
    page.locator(".dv-field-so_cuoc_kiem_tra input").fill(str(marker))
    page.locator(".dv-field-so_don_vi_duoc_kiem_tra input").fill(str(marker))
    page.locator(".dv-field-nguoi_lap input").fill(f"Cán bộ {login} (đợt {marker})")
    page.evaluate(ARM, SUCCESS)
    return context, page


def rebuilds(work: Path) -> int:
    log = work / "data" / "logs" / "app.log"
    return log.read_text(encoding="utf-8").count(f"export worker: {PERIOD} rebuilt") if log.exists() else 0


class Peak:
    """Samples the server's and its kernels' RSS every 0.5 s until stopped; keeps the peaks."""

    def __init__(self, server: Server):
        self.server, self.voila, self.kernels = server, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            voila, kernels = self.server.rss_mb()
            self.voila, self.kernels = max(self.voila, voila), max(self.kernels, kernels)
            self._stop.wait(0.5)

    def stop(self) -> tuple[float, float]:
        self._stop.set()
        self._thread.join()
        return self.voila, self.kernels


def rush(browser, server: Server, work: Path, logins: list[str], marker: int) -> dict:
    from danvan_kit.store import Store

    workbook = work / "data" / "xuat-excel" / f"tong-hop-{PERIOD}.xlsx"
    opened = [open_form(browser, server.base, login, marker) for login in logins]
    before_rebuilds = rebuilds(work)
    peak = Peak(server)
    clicked = time.time()
    for _, page in opened:
        page.evaluate(CLICK)
    latencies, errors = [], 0
    for _, page in opened:
        try:
            page.wait_for_function("() => window.__dvDone !== null", timeout=120_000)
            done = page.evaluate("() => window.__dvDone")
            if done < 0:
                errors += 1
            else:
                latencies.append((done - page.evaluate("() => window.__dvStart")) / 1000)
        except Exception:  # noqa: BLE001 - no answer in time counts as an error
            errors += 1
    wait_until(lambda: workbook.exists() and workbook.stat().st_mtime > clicked and rebuilds(work) > before_rebuilds,
               300, "the workbook to be rebuilt after the rush")
    rebuilt_after = workbook.stat().st_mtime - clicked
    voila_mb, kernels_mb = peak.stop()
    with Store.open(data_dir=work / "data") as store:
        latest = {s.unit_code.lower(): s.data for s in store.submissions(store.system_actor(), PERIOD)}
    lost = sum(1 for login in logins if latest.get(login, {}).get("so_cuoc_kiem_tra") != marker)
    for context, _ in opened:
        context.close()
    return dict(n=len(logins), latencies=latencies, errors=errors, lost=lost, voila_mb=voila_mb,
                kernels_mb=kernels_mb, rebuilds=rebuilds(work) - before_rebuilds, rebuilt_after=rebuilt_after)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,5,10,20", help="numbers of concurrent staff (1 is the baseline)")
    parser.add_argument("--db-url", default="", help="a PostgreSQL database for the store (dropped and made anew)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    if args.db_url:
        fresh_database(args.db_url)
        os.environ["DANVAN_DB_URL"] = args.db_url  # the demo, the servers, their kernels and the worker
    work = workspace()
    logins = [login for login in units(work) if re.match(r"^(xa|tt)-", login)] + \
        [login for login in units(work) if not re.match(r"^(xa|tt)-", login)]
    results = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, headless=True)
            for i, n in enumerate(sizes):
                server = Server(work)  # a fresh server each time: its memory is this rush's alone
                try:
                    results.append(rush(browser, server, work, logins[:n], marker=100 + i))
                finally:
                    server.stop()
            browser.close()
    except Exception:
        for log in sorted(work.glob("voila-*.log")) + [work / "data" / "logs" / "app.log"]:
            lines = log.read_text(errors="replace").splitlines() if log.exists() else []
            print(f"--- {log.name} (last 40 lines)\n" + "\n".join(lines[-40:]))
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = statistics.median(results[0]["latencies"]) if results[0]["latencies"] else float("nan")
    store = "PostgreSQL" if args.db_url else "SQLite"
    print(f"one server, voila.json as shipped, {store} store; {PERIOD} resubmitted; "
          f"baseline: {results[0]['n']} user\n")
    print(f"{'staff':>5} {'p50 s':>7} {'× 1':>6} {'p95 s':>7} {'× 1':>6} {'errors':>6} {'lost':>5} "
          f"{'voila MB':>9} {'kernels MB':>11} {'rebuilds':>8} {'workbook after s':>17}")
    for r in results:
        lat = r["latencies"] or [float("nan")]
        p50, top = statistics.median(lat), p95(lat)
        print(f"{r['n']:5} {p50:7.2f} {p50 / base:6.2f} {top:7.2f} {top / base:6.2f} {r['errors']:6} {r['lost']:5} "
              f"{r['voila_mb']:9.0f} {r['kernels_mb']:11.0f} {r['rebuilds']:8} {r['rebuilt_after']:17.1f}")


if __name__ == "__main__":
    main()
