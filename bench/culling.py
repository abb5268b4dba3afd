"""What Voilà's own culling reclaims from pages nobody looks at any more.

Starts Voilà over the app's notebooks with voila.json as shipped (preheated
pools, MappingKernelManager.cull_idle_timeout / cull_interval), logs in once
and opens --pages form pages over HTTP without a browser: each takes a kernel
that no websocket ever joins, as a page does once its tab is closed (Voilà's
own shutdown call on closing a tab is refused for want of an _xsrf token, so
the culler is what reclaims a closed page's kernel). Then it waits for the
culler to bring the kernel count back to the pools and prints kernel counts,
memory (RSS of Voilà and of its kernels) and the time taken, with ratios
against the idle server measured in the same run.

    .venv/bin/python bench/culling.py [--pages 10] [--idle SECONDS --interval SECONDS]

--idle / --interval override voila.json's culling for a quicker run.
"""
from __future__ import annotations

import argparse
import json
import shutil
import time

from _voila_kit import Server, workspace

NOTEBOOKS = ["bao_cao.ipynb", "tu_cham_diem.ipynb", "dan_van_kheo.ipynb", "trang_chu.ipynb"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10, help="pages to open and abandon (default 10)")
    parser.add_argument("--idle", type=int, help="cull_idle_timeout in seconds (default: voila.json's)")
    parser.add_argument("--interval", type=int, help="cull_interval in seconds (default: voila.json's)")
    args = parser.parse_args()
    work = workspace()
    culling = json.loads((work / "voila.json").read_text(encoding="utf-8"))["MappingKernelManager"]
    idle = args.idle or culling["cull_idle_timeout"]
    interval = args.interval or culling["cull_interval"]
    server = Server(work, True, f"--MappingKernelManager.cull_idle_timeout={idle}",
                    f"--MappingKernelManager.cull_interval={interval}")
    try:
        server.wait_for_settled_memory()
        base_voila, base_kernels = server.rss_mb()
        started = time.monotonic()
        opener = server.log_in()  # the login lands on the home page: the first abandoned page
        for n in range(args.pages - 1):
            notebook = NOTEBOOKS[n % len(NOTEBOOKS)]
            opener.open(f"{server.base}/voila/render/{notebook}?ky=2026-6t", timeout=180).read()
        opened = time.monotonic()
        server.wait_for_kernels(server.pooled + args.pages, "the pools to refill after the page loads")
        server.wait_for_settled_memory()
        full_voila, full_kernels = server.rss_mb()
        server.wait_for_kernels(server.pooled, "the culler to reclaim the abandoned pages",
                                timeout=idle + 3 * interval + 120)
        reclaimed_after = time.monotonic() - opened
        server.wait_for_settled_memory()
        end_voila, end_kernels = server.rss_mb()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    per_page = (full_kernels - base_kernels) / args.pages
    print(f"culling: idle timeout {idle} s, checked every {interval} s; {args.pages} pages opened in "
          f"{opened - started:.1f} s and abandoned; pools hold {server.pooled} kernels\n")
    print(f"{'':28} {'kernels':>8} {'kernels MB':>11} {'Voilà MB':>9} {'× idle server':>14}")
    for label, count, kernels, voila in (("idle server (baseline)", server.pooled, base_kernels, base_voila),
                                         ("pages open", server.pooled + args.pages, full_kernels, full_voila),
                                         ("after the culler", server.pooled, end_kernels, end_voila)):
        total = kernels + voila
        print(f"{label:28} {count:8d} {kernels:11.0f} {voila:9.0f} {total / (base_kernels + base_voila):14.2f}")
    reclaimed = (full_kernels - end_kernels) / (full_kernels - base_kernels) if full_kernels > base_kernels else 0
    print(f"\none abandoned page holds {per_page:.0f} MB of kernel; the culler gave back {reclaimed:.0%} of "
          f"what the pages took, {reclaimed_after:.0f} s after the last load "
          f"({reclaimed_after / idle:.2f}× the idle timeout)")


if __name__ == "__main__":
    main()
