"""Time from navigation until a form is ready to type into, against a one-widget notebook (the floor).

Starts our own Voilà twice on free ports — cold kernels, then preheated kernels
as configured in voila.json — over a copy of notebooks/ plus a one-slider
notebook, and drives real Chromium. For each page it measures:
  page ready   navigation -> the first input can be typed into (login box; the slider for the floor)
  form ready   login click -> the form's first field can be typed into
and the bytes transferred for one page load. Medians of --runs loads; ratios
are against the floor measured in the same run.

    .venv/bin/python bench/form_load.py [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
PAGES = ["floor.ipynb", "trang_chu.ipynb", "bao_cao.ipynb", "tu_cham_diem.ipynb", "dan_van_kheo.ipynb"]
FIRST_FIELD = {"trang_chu.ipynb": ".dv-home-page", "bao_cao.ipynb": ".dv-field-ngay_bao_cao input",
               "tu_cham_diem.ipynb": ".dv-field-tc_1_1 input", "dan_van_kheo.ipynb": ".dv-field-ten_mo_hinh input"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(work: Path, data: Path, preheat: bool) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, DANVAN_DATA_DIR=str(data), JUPYTER_CONFIG_PATH="", DANVAN_TEMPLATES=str(ROOT / "templates"))
    cmd = [sys.executable, "-m", "voila", str(work / "notebooks"), f"--port={port}", "--no-browser",
           "--Voila.ip=127.0.0.1", f"--VoilaConfiguration.preheat_kernel={preheat}"]
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{base}/login", timeout=30).read()
            break
        except OSError:
            time.sleep(0.5)
    time.sleep(8 if preheat else 1)  # let every pool fill
    return proc, base


def load(browser, base: str, notebook: str) -> tuple[float, float | None, int]:
    """(logged-in page ready, login click -> ready, bytes of the logged-in load) for one notebook."""
    ready_on = FIRST_FIELD.get(notebook, ".widget-slider")
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
    context.close()
    return ready, (None if notebook == "floor.ipynb" else form), sum(sizes)


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dv-bench-"))
    shutil.copytree(ROOT / "notebooks", work / "notebooks")
    shutil.copy(ROOT / "voila.json", work / "voila.json")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import ipywidgets as w\nw.IntSlider(description='floor')")]
    nbformat.write(nb, work / "notebooks" / "floor.ipynb")
    data = work / "data"
    subprocess.run([sys.executable, "-m", "danvan_kit", "init", "--demo", "--data-dir", str(data)],
                   check=True, capture_output=True)
    results: dict[tuple[str, str], list[tuple[float, float | None, int]]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, headless=True)
        for mode, preheat in (("cold", False), ("preheated", True)):
            proc, base = start(work, data, preheat)
            try:
                load(browser, base, "floor.ipynb")  # warm the browser cache of Voilà's static files
                for _ in range(args.runs):
                    for notebook in PAGES:
                        results.setdefault((mode, notebook), []).append(load(browser, base, notebook))
                        if preheat:
                            time.sleep(8)  # the pool refills (two loads per page) before the next load
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        browser.close()
    print(f"median of {args.runs} loads; ratios against the one-widget notebook in the same mode\n")
    print(f"{'mode':10} {'page':20} {'page ready s':>12} {'× floor':>8} {'form ready s':>13} {'kB':>8}")
    for mode in ("cold", "preheated"):
        floor = statistics.median(r[0] for r in results[(mode, "floor.ipynb")])
        for notebook in PAGES:
            rows = results[(mode, notebook)]
            ready = statistics.median(r[0] for r in rows)
            forms = [r[1] for r in rows if r[1] is not None]
            form = f"{statistics.median(forms):13.2f}" if forms else f"{'—':>13}"
            kb = statistics.median(r[2] for r in rows) / 1024
            print(f"{mode:10} {notebook:20} {ready:12.2f} {ready / floor:8.2f} {form} {kb:8.0f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
