"""The identity provider's own rules, without a server: the kernel caps and the client address."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from tornado import web
from tornado.httputil import HTTPHeaders

from danvan_kit.app.auth import DanvanIdentityProvider, client_address


class FakeHandler:
    """Just what the caps read and write: the kernel manager, the status and the page written."""

    def __init__(self, kernels: int):
        manager = SimpleNamespace(list_kernel_ids=lambda: [f"k{i}" for i in range(kernels)])
        self.settings = {"kernel_manager": manager}
        self.status, self.body, self.headers = 200, "", {}

    def set_status(self, status: int) -> None:
        self.status = status

    def set_header(self, name: str, value: str) -> None:
        self.headers[name] = value

    def finish(self, body: str) -> None:
        self.body = body


def test_a_session_gets_its_page_loads_then_a_vietnamese_page_saying_to_wait():
    provider = DanvanIdentityProvider(max_pages_per_session=3, max_kernels=100, page_window=300)
    for _ in range(3):
        provider._check_capacity(FakeHandler(kernels=10), session_id=1)
    handler = FakeHandler(kernels=10)
    with pytest.raises(web.Finish):
        provider._check_capacity(handler, session_id=1)
    assert handler.status == 429 and "Mở quá nhiều trang" in handler.body and "thử lại sau 5 phút" in handler.body
    provider._check_capacity(FakeHandler(kernels=10), session_id=2)     # another session is not held back


def test_a_full_server_refuses_new_pages_with_a_vietnamese_page():
    provider = DanvanIdentityProvider(max_pages_per_session=10, max_kernels=20, page_window=300)
    handler = FakeHandler(kernels=20)
    with pytest.raises(web.Finish):
        provider._check_capacity(handler, session_id=7)
    assert handler.status == 503 and "Máy chủ đang quá tải" in handler.body


def test_page_loads_older_than_the_window_no_longer_count(monkeypatch):
    provider = DanvanIdentityProvider(max_pages_per_session=2, max_kernels=100, page_window=60)
    now = [1000.0]
    monkeypatch.setattr("danvan_kit.app.auth.time.monotonic", lambda: now[0])
    provider._check_capacity(FakeHandler(5), session_id=1)
    provider._check_capacity(FakeHandler(5), session_id=1)
    now[0] += 61
    provider._check_capacity(FakeHandler(5), session_id=1)               # the first two have left the window


@pytest.mark.parametrize("peer, header, expected", [
    ("127.0.0.1", "10.1.2.3", "10.1.2.3"),     # our nginx on this machine says who the browser is
    ("::1", "10.1.2.3", "10.1.2.3"),
    ("10.9.9.9", "10.1.2.3", "10.9.9.9"),      # anyone else could forge the header: use the peer
    ("127.0.0.1", "", "127.0.0.1"),
])
def test_the_client_address_trusts_x_real_ip_only_from_the_local_proxy(peer, header, expected):
    headers = HTTPHeaders({"X-Real-IP": header} if header else {})
    assert client_address(SimpleNamespace(remote_ip=peer, headers=headers)) == expected
