"""Kernels of closed pages do not pile up: Voilà's culler takes them, the preheated pools stay."""
from __future__ import annotations

import time

import pytest

from .conftest import VoilaServer

pytestmark = pytest.mark.slow


@pytest.fixture
def culling_server(tmp_path):
    # voila.json culls after 900 s; the same settings with short times so the test can watch it happen.
    server = VoilaServer(tmp_path, "--MappingKernelManager.cull_idle_timeout=6",
                         "--MappingKernelManager.cull_interval=2")
    yield server
    server.stop()


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_five_closed_pages_leave_no_kernel_behind(browser, culling_server):
    assert wait_for(lambda: culling_server.kernels() == 7, 60)        # the pools of voila.json: 2+2+1+1+1
    baseline = culling_server.kernels()
    for _ in range(5):
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{culling_server.base}/voila/render/tu_cham_diem.ipynb")
        page.locator(".dv-login input[type=text]").wait_for(timeout=60_000)
        context.close()                                                # the browser goes away
    assert culling_server.kernels() > baseline - 1                     # pages were really served
    assert wait_for(lambda: culling_server.kernels() <= baseline, 60), culling_server.kernels()
    time.sleep(3)
    assert culling_server.kernels() == baseline                        # the pools refilled, nothing else left
