"""What the Voilà benchmarks share: a copy of the app's notebooks, a server on a free port, its kernels.

Waits are on conditions (the login page answers, the pools are full), never fixed sleeps.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable

import psutil

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def workspace(extra_notebooks: dict[str, object] | None = None) -> Path:
    """A temporary copy of notebooks/ and voila.json (plus extra notebooks), with a demo store in data/."""
    import nbformat

    from danvan_kit.app.server import compile_package

    compile_package()   # as `danvan serve` does: kernels load bytecode, not compile our modules
    work = Path(tempfile.mkdtemp(prefix="dv-bench-"))
    shutil.copytree(ROOT / "notebooks", work / "notebooks")
    shutil.copy(ROOT / "voila.json", work / "voila.json")
    for name, nb in (extra_notebooks or {}).items():
        nbformat.write(nb, work / "notebooks" / name)
    subprocess.run([sys.executable, "-m", "danvan_kit", "init", "--demo", "--data-dir", str(work / "data")],
                   check=True, capture_output=True)
    return work


def pool_size(work: Path, preheat: bool = True) -> int:
    """How many kernels voila.json keeps preheated for the notebooks of `work`."""
    if not preheat:
        return 0
    pools = json.loads((work / "voila.json").read_text(encoding="utf-8"))["VoilaKernelManager"]["kernel_pools_config"]
    return sum(pools.get(nb.name, pools["default"])["pool_size"] for nb in (work / "notebooks").glob("*.ipynb"))


def wait_until(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.25) -> object:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise SystemExit(f"waited {timeout:g} s for {what}")
        time.sleep(interval)


class Server:
    """`voila` over work/notebooks on a free port; `extra` are more command-line settings."""

    def __init__(self, work: Path, preheat: bool = True, *extra: str):
        from danvan_kit.app.server import voila_environment  # our page template, as `danvan serve` finds it

        self.work, self.port = work, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = voila_environment(dict(os.environ, DANVAN_DATA_DIR=str(work / "data"), JUPYTER_CONFIG_PATH="",
                                     DANVAN_TEMPLATES=str(ROOT / "templates")))
        cmd = [sys.executable, "-m", "voila", str(work / "notebooks"), f"--port={self.port}", "--no-browser",
               "--Voila.ip=127.0.0.1", f"--VoilaConfiguration.preheat_kernel={preheat}", *extra]
        self.log = work / f"voila-{self.port}.log"  # kept with the workspace: what a failed run looks at
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_until(self._answers, 120, "the login page")
        self.pooled = pool_size(work, preheat)
        self.wait_for_kernels(self.pooled, "the kernel pools to fill")
        self.wait_for_settled_memory()  # and every pooled kernel has run its notebook

    def _answers(self) -> bool:
        try:
            urllib.request.urlopen(f"{self.base}/login", timeout=30).read()
            return True
        except urllib.error.HTTPError:  # a server without our login page answers too
            return True
        except OSError:
            return False

    def kernels(self) -> list[psutil.Process]:
        out = []
        for child in psutil.Process(self.proc.pid).children(recursive=True):
            try:
                if child.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(child.cmdline()):
                    out.append(child)
            except psutil.Error:
                continue
        return out

    def wait_for_kernels(self, count: int, what: str, timeout: float = 180) -> None:
        wait_until(lambda: len(self.kernels()) == count, timeout, what)

    def rss_mb(self) -> tuple[float, float]:
        """(Voilà's own RSS, the sum of its kernels' RSS) in MB."""
        def rss(p: psutil.Process) -> int:
            try:
                return p.memory_info().rss
            except psutil.Error:
                return 0
        return rss(psutil.Process(self.proc.pid)) / 2**20, sum(rss(k) for k in self.kernels()) / 2**20

    def kernel_mb(self, kernel_id: str, timeout: float = 60) -> float:
        """RSS in MB of the kernel `kernel_id` once it stops growing (the page has been built)."""
        match = [k for k in self.kernels() if f"kernel-{kernel_id}.json" in " ".join(k.cmdline())]
        if not match:
            raise SystemExit(f"no kernel process for {kernel_id}")
        last = [-1.0]

        def settled() -> float:
            now = match[0].memory_info().rss / 2**20
            steady = abs(now - last[0]) <= 0.005 * now
            last[0] = now
            return now if steady else 0.0
        return float(wait_until(settled, timeout, "the page kernel's memory to settle", interval=1))

    def wait_for_settled_memory(self, timeout: float = 180) -> None:
        """Wait until the kernels stop growing (a preheated kernel runs its notebook after it starts)."""
        last = [-1.0]

        def settled() -> bool:
            now = self.rss_mb()[1]
            steady = abs(now - last[0]) <= 0.01 * max(now, 1.0)
            last[0] = now
            return steady
        wait_until(settled, timeout, "the kernels' memory to settle", interval=3)

    def log_in(self, login: str = "xa-an-phu", passcode: str = "demo123") -> urllib.request.OpenerDirector:
        """An opener holding a session cookie, after posting the login form."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        form = opener.open(f"{self.base}/login").read().decode()
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form)
        data = urllib.parse.urlencode({"_xsrf": xsrf.group(1) if xsrf else "", "tai_khoan": login,
                                       "mat_khau": passcode, "next": "/voila/render/trang_chu.ipynb"}).encode()
        opener.open(f"{self.base}/login", data=data).read()
        return opener

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
