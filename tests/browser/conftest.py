"""A real Voilà server on a free port with a fresh demo store, and real Chromium driven by Playwright.

Skipped (with a reason) when /usr/bin/chromium is absent; `.ci/run` installs it.
Screenshots go to test-artifacts/screenshots/.
"""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.slow
FAILURES = ROOT / "test-artifacts" / "failures"
# What a failed browser test reports: every page still open (address, visible text, console) and the
# tail of every running server's logs. A first page load that never showed its form hit 2 of 4 full
# runs and never alone; without this the report said only "timeout".
_OPEN_PAGES: list[tuple[Any, list[str]]] = []
_SERVERS: list[Any] = []   # every server a test started (VoilaServer, test_two_servers.Process): its `logs()`
# How long a browser step may wait for the page (page.set_default_timeout and Playwright's expect(), whose
# own default is 5 s): a cold kernel can take a while to start on a busy 2-core CI machine.
STEP_TIMEOUT_MS = 90_000
DRAFT_SAVED = "Đã lưu nháp"  # the form's status line after a (auto)save: "Đã lưu nháp lúc …"


def wait_until(predicate: Callable[[], Any], timeout: float, what: str,
               state: Callable[[], Any] | None = None, interval: float = 0.25) -> Any:
    """Poll `predicate` until it returns something truthy (returned), or fail after `timeout` seconds.

    The failure names `what` was awaited and, when given, what `state()` shows at the end.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            seen = f"; last seen: {state()!r}" if state is not None else ""
            raise AssertionError(f"waited {timeout:g} s for {what}{seen}")
        time.sleep(interval)


def wait_for_draft_saved(page) -> None:
    """Wait until the form's status line says the draft was saved (autosave runs 2 s after typing stops).

    Meant for the first save on a page: an earlier "Đã lưu nháp" message would satisfy it at once.
    """
    from playwright.sync_api import expect

    expect(page.locator(".dv-form .dv-status-ok")).to_contain_text(DRAFT_SAVED)


def http_login(server, login: str, passcode: str = "demo123"):
    """(urllib opener holding the session cookie, "name=value" cookie header) after a login by form post."""
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{server['base']}/login").read().decode()
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"_xsrf": xsrf, "tai_khoan": login, "mat_khau": passcode,
                                   "next": "/voila/render/trang_chu.ipynb"}).encode()
    opener.open(f"{server['base']}/login", data=data).read()
    cookies = {c.name: c.value for c in jar}
    assert "danvan_phien" in cookies, f"login of {login} failed"
    return opener, "; ".join(f"{k}={v}" for k, v in cookies.items())


def kernel_id_of(html: str) -> str:
    """The kernel a rendered Voilà page talks to (from the page config in its HTML)."""
    match = re.search(r'"kernelId":\s*"([0-9a-f-]+)"', html)
    assert match, "no kernelId in the page"
    return match.group(1)


def pooled_kernels() -> int:
    """Kernels voila.json keeps preheated: one pool per notebook in notebooks/."""
    config = json.loads((ROOT / "voila.json").read_text(encoding="utf-8"))
    pools = config["VoilaKernelManager"]["kernel_pools_config"]
    return sum(pools.get(nb.name, pools["default"])["pool_size"] for nb in (ROOT / "notebooks").glob("*.ipynb"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VoilaServer:
    """`danvan serve` in a subprocess on a free port, over a fresh demo store."""

    def __init__(self, data: Path, *extra: str):
        if not Path(CHROMIUM).exists():
            pytest.skip("Chromium is not installed (/usr/bin/chromium); browser tests not run")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DANVAN_DB_URL", "JUPYTERHUB"))}
        env.update(DANVAN_DATA_DIR=str(data), JUPYTER_CONFIG_PATH="", JUPYTER_CONFIG_DIR=str(data / "jupyter-config"))
        from danvan_kit.app.server import compile_package, voila_environment

        env = voila_environment(env)   # our page template, as `danvan serve` finds it
        danvan = [sys.executable, "-m", "danvan_kit"]
        subprocess.run(danvan + ["init", "--demo"], env=env, check=True, capture_output=True, cwd=ROOT)
        self.data, self.env, self.port = data, env, _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        _SERVERS.append(self)
        self.log = data / "voila.log"
        self._log = open(self.log, "w")
        compile_package()   # as `danvan serve` does
        cmd = [sys.executable, "-m", "voila"] + [a for a in _voila_args(self.port)] + list(extra)
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{self.base}/voila/render/trang_chu.ipynb", timeout=30).read()
                return
            except OSError as exc:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.log.read_text()) from exc
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("Voilà did not start:\n" + self.log.read_text()[-3000:])

    def __getitem__(self, key: str):  # tests read server["base"], server["data"], …
        return getattr(self, key)

    def logs(self) -> list[Path]:
        """What a failed test reports of this server: Voilà's output and the app's log."""
        return [self.log, self.data / "logs" / "app.log"]

    def kernel_ids(self) -> set[str]:
        """Ids of the kernel processes this server runs now (pools included), from their connection files."""
        import psutil

        ids = set()
        for child in psutil.Process(self.proc.pid).children(recursive=True):
            try:  # a kernel being shut down may be gone or a zombie by the time we look
                if child.status() == psutil.STATUS_ZOMBIE:
                    continue
                cmdline = " ".join(child.cmdline())
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                continue
            match = re.search(r"kernel-([0-9a-f-]+)\.json", cmdline)
            if "ipykernel" in cmdline and match:
                ids.add(match.group(1))
        return ids

    def kernels(self) -> int:
        """How many kernel processes this server runs now (pools included)."""
        return len(self.kernel_ids())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


def _voila_args(port: int) -> list[str]:
    from danvan_kit.app.server import voila_command

    return voila_command(port=port)[3:]  # drop "python -m voila"


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory):
    server = VoilaServer(tmp_path_factory.mktemp("voila-data"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(voila_server):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=STEP_TIMEOUT_MS)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        new_context = chromium.new_context

        def patient_context(*args: Any, **kwargs: Any):
            """Every context a test opens waits as long as the `page` fixture's does."""
            context = new_context(*args, **kwargs)
            context.set_default_timeout(STEP_TIMEOUT_MS)
            context.on("page", _track)
            return context

        chromium.new_context = patient_context  # type: ignore[method-assign]
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    yield page
    context.close()


# JupyterLab's shared-module version warnings: printed on every page, they would crowd out the rest.
_NOISE = re.compile(r"Unsatisfied version|No satisfying version|^Available versions")


def _track(page) -> None:
    """Keep the page's console and script errors for the report of a failed test."""
    console: list[str] = []
    page.on("console", lambda message: None if _NOISE.search(message.text) else
            console.append(f"{message.type}: {message.text}"[:300]))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"[:300]))
    page.on("close", lambda _: _OPEN_PAGES.remove(entry) if entry in _OPEN_PAGES else None)
    entry = (page, console)
    _OPEN_PAGES.append(entry)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"({exc})"


def failure_report(name: str) -> str:
    """What the open pages show and what the servers logged, for a failed test (screenshots to FAILURES)."""
    parts = []
    for n, (page, console) in enumerate(list(_OPEN_PAGES)):
        try:
            FAILURES.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(FAILURES / f"{name}-{n}.png"), full_page=True, timeout=10_000)
            text = page.evaluate("() => document.body ? document.body.innerText : ''")
            widgets = page.evaluate("() => document.querySelectorAll('.jupyter-widgets').length")
            parts.append(f"--- page {n}: {page.url}\nwidgets in the page: {widgets}\n"
                         f"text: {text[:1500]!r}\nconsole (last 30):\n" + "\n".join(console[-30:]))
        except Exception as exc:  # a closed or crashed page says so instead of hiding the rest
            parts.append(f"--- page {n}: could not be read ({exc})")
    for server in list(_SERVERS):
        for log in server.logs():
            parts.append(f"--- server {server.base} {log.name} ({log}, tail):\n{_tail(log, 150)}")
    return "\n".join(parts)


def pytest_runtest_setup(item):  # noqa: ARG001
    """Forget servers stopped before this test: a failure reports the running ones and its own."""
    _SERVERS[:] = [server for server in _SERVERS if server.proc.poll() is None]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        report.sections.append(("browser and servers at the failure", failure_report(item.name[:80])))


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


