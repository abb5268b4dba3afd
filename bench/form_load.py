"""Time from navigation until a form is ready to type into, against a one-widget notebook (the floor).

Starts our own Voilà twice on free ports — cold kernels, then preheated kernels
as configured in voila.json — over a copy of notebooks/ plus a one-slider
notebook, and drives real Chromium. For each page it measures:
  page ready   navigation -> the first input can be typed into (login box; the slider for the floor)
  form ready   login click -> the form's first field can be typed into
the bytes transferred for one logged-in page load (browser cache warm), and
  kernel MB    the RSS of the kernel serving that page once the page is built
               (ratio against the one-widget notebook's kernel, same mode), and its
               unique MB (USS: what one more open page costs the machine; the shared
               libraries' pages, counted in every kernel's RSS, are in memory once).
Medians of --runs loads; ratios are against the floor measured in the same
run. The floor is also loaded from a server without the door (Voilà's default,
no login), so the login's own cost on a page load is a ratio of the same run.
Last, what a page's kernel holds beyond the floor, piece by piece: one kernel
(no Voilà) runs the floor's cell, then imports each piece a page needs in turn;
the RSS each piece adds once the kernel's memory settles.

    .venv/bin/python bench/form_load.py [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import time
from pathlib import Path
from typing import Callable

import nbformat
from _voila_kit import Server, wait_until, workspace

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
PAGES = ["floor.ipynb", "trang_chu.ipynb", "bao_cao.ipynb", "tu_cham_diem.ipynb", "dan_van_kheo.ipynb"]
NO_DOOR = "jupyter_server.auth.identity.PasswordIdentityProvider"  # Voilà's default: no login at all
FLOOR_CELL = "import ipywidgets as w\nw.IntSlider(description='floor')"
# What a page's kernel imports and builds beyond the floor, in the order a page needs it.
PARTS = [
    ("asking the server's store (its client, errors and types)",
     "import danvan_kit.store.remote, danvan_kit.store.errors, danvan_kit.store.types"),
    ("the form core (expressions, numbers, text)",
     "import danvan_kit.forms.expressions, danvan_kit.forms.numbers, danvan_kit.forms.text"),
    ("the template types, engine and catalog code", "import danvan_kit.catalog, danvan_kit.forms.engine"),
    ("the server's catalog handed over, its store asked",
     "from danvan_kit.app.context import get_app\n_ = get_app()\n_.store.now()"),
    ("the page modules (widgets, form page, home)", "import danvan_kit.app.form_page, danvan_kit.app.home"),
]
FIRST_FIELD = {"trang_chu.ipynb": ".dv-home-page", "bao_cao.ipynb": ".dv-field-ngay_bao_cao input",
               "tu_cham_diem.ipynb": ".dv-field-tc_1_1 input", "dan_van_kheo.ipynb": ".dv-field-ten_mo_hinh input"}


def load_open(browser, base: str, settle=lambda: None) -> tuple[float, None, int, None, None]:
    """The floor on a server with no door (Voilà's default: anyone may load a page), as before the login."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/voila/render/floor.ipynb")
    page.locator(".widget-slider").first.wait_for(timeout=120_000)
    page.wait_for_load_state("networkidle")
    settle()
    t0 = time.perf_counter()
    page.goto(f"{base}/voila/render/floor.ipynb")
    page.locator(".widget-slider").first.wait_for(timeout=120_000)
    ready = time.perf_counter() - t0
    context.close()
    return ready, None, 0, None, None


def unique_mb(server, kernel_id: str) -> float:
    """USS in MB of the kernel `kernel_id` (its private pages), read once its RSS has settled."""
    match = [k for k in server.kernels() if f"kernel-{kernel_id}.json" in " ".join(k.cmdline())]
    return match[0].memory_full_info().uss / 2**20 if match else float("nan")


def load(browser, server, notebook: str, settle=lambda: None) -> tuple[float, float | None, int, float, float]:
    """(logged-in page ready, login click -> ready, bytes of the logged-in load, its kernel's RSS MB and USS MB)
    for one notebook.

    `settle()` runs between the login load and the timed one (the preheated run waits for the pool).
    """
    ready_on = FIRST_FIELD.get(notebook, ".widget-slider")
    base = server.base
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/voila/render/{notebook}")           # anonymous: the server's login page, no kernel
    page.locator("#tai_khoan").fill("xa-an-phu")
    page.locator("#mat_khau").fill("demo123")
    t1 = time.perf_counter()
    page.locator("button[type=submit]").click()
    page.locator(ready_on).first.wait_for(timeout=120_000)
    form = time.perf_counter() - t1
    page.wait_for_load_state("networkidle")
    settle()
    sizes: list[int] = []

    def count(request) -> None:
        try:
            got = request.sizes()
            sizes.append(got["responseBodySize"] + got["responseHeadersSize"])
        except Exception:  # the page was closed while a request was finishing
            pass

    page.on("requestfinished", count)
    t0 = time.perf_counter()
    page.goto(f"{base}/voila/render/{notebook}")           # logged in: straight to the page
    page.locator(ready_on).first.wait_for(timeout=120_000)
    ready = time.perf_counter() - t0
    page.wait_for_load_state("networkidle")
    page.remove_listener("requestfinished", count)
    kernel = re.search(r'"kernelId":\s*"([0-9a-f-]+)"', page.content())
    mb = server.kernel_mb(kernel.group(1)) if kernel else float("nan")
    uss = unique_mb(server, kernel.group(1)) if kernel else float("nan")
    context.close()
    return ready, (None if notebook == "floor.ipynb" else form), sum(sizes), mb, uss


def _settled_rss(process) -> Callable[[], float]:
    """A check for wait_until: the process's RSS in MB once two readings a second apart agree, else 0."""
    last = [-1.0]

    def settled() -> float:
        now = process.memory_info().rss / 2**20
        steady = abs(now - last[0]) <= 0.002 * now
        last[0] = now
        return now if steady else 0.0
    return settled


def kernel_parts(work: Path) -> list[tuple[str, float]]:
    """(piece, RSS MB once settled) of one kernel running the floor's cell, then each of PARTS in turn."""
    import psutil
    from jupyter_client import KernelManager

    from danvan_kit.catalog import load_catalog
    from danvan_kit.store import Store
    from danvan_kit.store.remote import SERVICE_ENV, StoreService

    templates = Path(__file__).resolve().parent.parent / "templates"
    catalog = load_catalog(templates)
    store = Store.open(data_dir=work / "data", validator=catalog.validator)
    (work / "connections").mkdir(mode=0o700, exist_ok=True)
    service = StoreService(work / "connections", lambda: store, catalog=lambda: catalog)   # as under our Voilà
    env = dict(os.environ, DANVAN_DATA_DIR=str(work / "data"), JUPYTER_CONFIG_PATH="",
               DANVAN_TEMPLATES=str(templates), **{SERVICE_ENV: str(service.file)})
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env=env, cwd=str(work / "notebooks"))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        process = psutil.Process(manager.provisioner.process.pid)  # type: ignore[union-attr]
        out = []
        for name, code in [("one-widget kernel (floor)", FLOOR_CELL), *PARTS]:
            reply = client.execute_interactive(code, timeout=120, output_hook=lambda _msg: None)
            if reply["content"]["status"] != "ok":
                raise SystemExit(f"{name}: {reply['content']}")
            out.append((name, float(wait_until(_settled_rss(process), 60, f"the kernel's memory after {name}",
                                               interval=1))))
        return out
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        service.close()
        store.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(FLOOR_CELL)]
    work = workspace({"floor.ipynb": nb})
    results: dict[tuple[str, str], list[tuple[float, float | None, int, float | None, float | None]]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, headless=True)
        for mode, preheat in (("cold", False), ("preheated", True)):
            # the floor once more on a server without the door: what the login costs a page load
            server = Server(work, preheat, f"--Voila.identity_provider_class={NO_DOOR}")
            try:
                settle = server.wait_for_settled_memory if preheat else (lambda: None)
                for _ in range(args.runs):
                    results.setdefault((mode, "no door"), []).append(load_open(browser, server.base, settle))
                    settle()
            finally:
                server.stop()
            server = Server(work, preheat)  # returns once every pool holds its kernels
            try:
                load(browser, server, "floor.ipynb")  # warm the browser cache of Voilà's static files
                for _ in range(args.runs):
                    for notebook in PAGES:
                        # each load starts from full pools, as a unit's first visit of the day does
                        # a refilled pool kernel has run its notebook once the kernels' memory settles
                        settle = server.wait_for_settled_memory if preheat else (lambda: None)
                        results.setdefault((mode, notebook), []).append(
                            load(browser, server, notebook, settle))
                        settle()
            finally:
                server.stop()
        browser.close()
    print(f"median of {args.runs} loads; ratios against the one-widget notebook in the same mode\n")
    print(f"{'mode':10} {'page':20} {'page ready s':>12} {'× floor':>8} {'form ready s':>13} {'kB':>8} "
          f"{'kernel MB':>10} {'× floor':>8} {'unique MB':>10} {'× floor':>8}")
    for mode in ("cold", "preheated"):
        floor = statistics.median(r[0] for r in results[(mode, "floor.ipynb")])
        floor_mb = statistics.median(r[3] for r in results[(mode, "floor.ipynb")] if r[3] is not None)
        floor_uss = statistics.median(r[4] for r in results[(mode, "floor.ipynb")] if r[4] is not None)
        for notebook in PAGES:
            rows = results[(mode, notebook)]
            ready = statistics.median(r[0] for r in rows)
            forms = [r[1] for r in rows if r[1] is not None]
            form = f"{statistics.median(forms):13.2f}" if forms else f"{'—':>13}"
            kb = statistics.median(r[2] for r in rows) / 1024
            mb = statistics.median(r[3] for r in rows if r[3] is not None)
            uss = statistics.median(r[4] for r in rows if r[4] is not None)
            print(f"{mode:10} {notebook:20} {ready:12.2f} {ready / floor:8.2f} {form} {kb:8.0f} "
                  f"{mb:10.0f} {mb / floor_mb:8.2f} {uss:10.0f} {uss / floor_uss:8.2f}")
        open_floor = statistics.median(r[0] for r in results[(mode, "no door")])
        print(f"{mode:10} {'floor, no door':20} {open_floor:12.2f} {open_floor / floor:8.2f} "
              f"{'—':>13} {'—':>8}   (the door costs a page load {floor / open_floor:.2f}×)")
    parts = kernel_parts(work)
    print("\nwhat a page's kernel holds beyond the one-widget kernel, piece by piece (one kernel, no Voilà)\n")
    print(f"{'piece':48} {'MB added':>9} {'kernel MB':>10} {'× floor':>8}")
    for (name, mb), (_, before) in zip(parts, [(None, parts[0][1]), *parts]):
        print(f"{name:48} {mb - before:9.1f} {mb:10.1f} {mb / parts[0][1]:8.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
