"""Kernels of closed pages do not pile up: Voilà's culler takes them, the preheated pools stay."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import VoilaServer, kernel_id_of, pooled_kernels, wait_until
from .test_browser import log_in

pytestmark = pytest.mark.slow
PAGES = 5


@pytest.fixture
def culling_server(tmp_path):
    # voila.json culls after 180 s; the same settings with short times so the test can watch it happen.
    # 30 s, not less: a page's kernel must not be culled before a busy browser has connected to it
    server = VoilaServer(tmp_path, "--MappingKernelManager.cull_idle_timeout=30",
                         "--MappingKernelManager.cull_interval=2")
    yield server
    server.stop()


def test_five_closed_pages_leave_no_kernel_behind(browser, culling_server):
    pooled = pooled_kernels()                                          # the pools of voila.json: 2+2+1+1+1
    wait_until(lambda: culling_server.kernels() == pooled, 60, f"the {pooled} preheated kernels",
               state=culling_server.kernels)
    contexts, served = [], []
    for _ in range(PAGES):
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{culling_server.base}/voila/render/tu_cham_diem.ipynb")   # the login page: no kernel yet
        log_in(page, "xa-an-phu")                                      # then back to the page, with its kernel
        page.locator(".dv-field-tc_1_1 input").wait_for(timeout=60_000)
        served.append(kernel_id_of(page.content()))
        contexts.append(context)
    assert len(set(served)) == PAGES                                   # each page has a kernel of its own
    served_ids = set(served)

    def all_served_beside_full_pools() -> bool:
        running = culling_server.kernel_ids()
        return served_ids <= running and len(running) == pooled + PAGES

    def only_full_pools_left() -> bool:
        running = culling_server.kernel_ids()
        return not running & served_ids and len(running) == pooled

    # pages were really served: while they are open their kernels run beside the refilled pools
    wait_until(all_served_beside_full_pools, 60, f"{pooled} pooled + {PAGES} page kernels",
               state=culling_server.kernels)
    for context in contexts:
        context.close()                                                # the browser goes away
    # the culler takes every page's kernel; the pools stay full and nothing else is left
    wait_until(only_full_pools_left, 120, f"the page kernels to be culled, leaving the {pooled} pooled ones",
               state=lambda: {"page kernels still running": len(culling_server.kernel_ids() & served_ids),
                              "kernels": culling_server.kernels()})


def test_kernels_talk_over_private_unix_sockets_not_ports_picked_ahead(voila_server):
    """Over TCP each kernel took five free ports picked before it started; a process connecting out
    in between could take one, and the kernel died at start ("Address already in use", seen in a
    browser run): its pool then handed a page a dead kernel. voila.json's `KernelManager.transport:
    ipc` puts the sockets in Voilà's own connection folder instead, reachable by this account only.
    (ipykernel still binds one TCP port of its own for subprocess output, atomically: no race.)"""
    import json
    import stat

    import psutil

    kernels = [p for p in psutil.Process(voila_server.proc.pid).children(recursive=True)
               if "ipykernel" in " ".join(p.cmdline())]
    assert len(kernels) >= pooled_kernels()
    for kernel in kernels:
        connection_file = Path(re.search(r"-f (\S+\.json)", " ".join(kernel.cmdline())).group(1))
        info = json.loads(connection_file.read_text())
        assert info["transport"] == "ipc"
        assert Path(info["ip"]).parent == connection_file.parent
        assert stat.S_IMODE(connection_file.parent.stat().st_mode) & 0o077 == 0   # nobody else may enter
        for channel in ("shell", "iopub", "stdin", "control", "hb"):
            assert stat.S_ISSOCK(Path(f"{info['ip']}-{info[channel + '_port']}").stat().st_mode), channel
