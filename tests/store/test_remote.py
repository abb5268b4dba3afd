"""A page kernel asks its server's store (store/remote.py): the same answers, the same refusals,
the same checks of the account, and nothing beyond what a page needs. Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import stat
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client

import pytest
from storekit import ROOT

from danvan_kit.store import AccessDenied, StaleRevision, Store, StoreError, ValidationFailed
from danvan_kit.store.remote import PAGE_METHODS, SERVICE_ENV, RemoteStore, StoreService, find_service

KEY = ("XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t")
PASS = "dung-mat-khau"


class Fallback:
    """Stands for the store a kernel would open itself; counts that it was asked."""

    def __init__(self, store):
        self.store, self.opened = store, 0

    def __call__(self):
        self.opened += 1
        return self.store


@pytest.fixture
def service(store, tmp_path):
    folder = tmp_path / "connections"
    folder.mkdir()
    served = StoreService(folder, lambda: store)
    yield served
    served.close()


@pytest.fixture
def remote(service, store):
    client = RemoteStore(service.file, fallback=Fallback(store))
    yield client
    client.close()


@pytest.fixture
def person(store):
    store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", passcode=PASS)
    return store.log_in("xa-an-phu", PASS, client="test")


def test_a_draft_and_a_submission_made_through_the_server_are_in_the_store(remote, store, person):
    account = remote.redeem_page_ticket(store.issue_page_ticket(person.account))
    assert account == person.account
    draft = remote.save_draft(account, *KEY, {"ket_qua": "Tuyên truyền"}, template_version=1, base_revision=0)
    result = remote.submit(account, *KEY, {"ket_qua": "Tuyên truyền, đã nộp"}, template_version=1,
                           attempt_id="a-1", base_revision=draft.number)
    assert store.latest(person.account, *KEY) == result.revision == remote.latest(account, *KEY)
    assert [r.kind for r in store.history(person.account, *KEY)] == ["draft", "submitted"]
    assert remote.status(account, "2026-6t") == store.status(person.account, "2026-6t")
    assert remote.now().tzinfo is not None and remote._fallback.opened == 0


def test_the_stores_refusals_reach_the_page_whole(remote, store, person):
    account = person.account
    remote.save_draft(account, *KEY, {"ket_qua": "A"}, template_version=1, base_revision=0)
    with pytest.raises(StaleRevision) as stale:   # a second window still showing no revision
        remote.save_draft(account, *KEY, {"ket_qua": "B"}, template_version=1, base_revision=0)
    assert stale.value.number == 1 and stale.value.author == "xa-an-phu" and "bản số 1" in str(stale.value)
    with pytest.raises(AccessDenied):              # another unit's data
        remote.latest(account, "XA-MINH-TAM", "bao-cao-dinh-ky", "2026-6t")
    with pytest.raises(ValidationFailed) as invalid:
        remote.submit(account, *KEY, {"ket_qua": "x"}, template_version=1, attempt_id="", base_revision=1)
    assert invalid.value.errors == ["Thiếu mã lần gửi (attempt_id) hoặc mã dài quá 100 ký tự"]
    assert store.latest(account, *KEY).data == {"ket_qua": "A"}


def test_a_session_ended_at_the_server_is_refused_on_the_next_call(remote, store, person):
    remote.latest(person.account, *KEY)
    store.end_session(person.token)
    with pytest.raises(AccessDenied):
        remote.latest(person.account, *KEY)


def test_the_forms_own_rules_refuse_a_submission_and_name_the_fields(tmp_path):
    from danvan_kit.catalog import load_catalog

    catalog = load_catalog(ROOT / "templates")
    with Store.open(data_dir=tmp_path / "data", validator=catalog.validator) as store:
        store.migrate()
        store.load_reference(catalog.organisation, catalog.calendar, catalog.forms)
        store.create_account("xa-an-phu", role="unit", unit_code="XA-AN-PHU", passcode=PASS)
        account = store.log_in("xa-an-phu", PASS, client="test").account
        (tmp_path / "c").mkdir()
        service = StoreService(tmp_path / "c", lambda: store)
        remote = RemoteStore(service.file, fallback=Fallback(store))
        try:
            with pytest.raises(ValidationFailed) as invalid:
                remote.submit(account, *KEY, {}, template_version=catalog.form("bao-cao-dinh-ky").version,
                              attempt_id="a-1", base_revision=0)
        finally:
            remote.close()
            service.close()
    assert invalid.value.errors and len(invalid.value.fields) == len(invalid.value.errors)
    assert all(f.field and f.message for f in invalid.value.fields)


def test_only_a_pages_calls_are_served_and_anything_else_is_opened_in_the_kernel(remote, service, store):
    status, error = service.answer("set_passcode", ("xa-an-phu", "mat-khau-moi-1"), {})
    assert status == "error" and isinstance(error, StoreError) and "Phòng Nội vụ" in str(error)
    assert "set_passcode" not in PAGE_METHODS and "audit" not in PAGE_METHODS
    assert remote._fallback.opened == 0
    actor = remote.system_actor()   # the desk's kind of call: the kernel opens its own store, once,
    remote.status(actor, "2026-6t")  # and asks it everything from then on (its system actor means
    remote.audit(actor, 5)           # nothing to the server's store)
    assert remote._fallback.opened == 1


def test_the_services_key_is_private_and_a_connection_without_it_is_refused(service):
    assert stat.S_IMODE(service.file.stat().st_mode) == 0o600
    with pytest.raises(AuthenticationError):
        Client(service.address, family="AF_UNIX", authkey=b"not-the-key")


def test_a_kernel_whose_server_is_gone_says_so_in_vietnamese(remote, service, person):
    remote.latest(person.account, *KEY)
    service.close()
    remote._drop()   # the kernel's connection went with its server
    with pytest.raises(StoreError, match="Không kết nối được tới kho dữ liệu"):
        remote.latest(person.account, *KEY)


def test_a_kernel_finds_the_service_named_in_its_environment_and_none_elsewhere(service):
    assert find_service({SERVICE_ENV: str(service.file)}) == service.file
    assert find_service({}) is None   # not in a kernel: the store is opened in this process


def test_a_refusal_that_cannot_travel_still_reaches_the_page_with_its_message(tmp_path):
    class Odd(StoreError):   # a local class: pickle cannot send it
        pass

    class Refusing:
        def latest(self, *args, **kwargs):
            raise Odd("Báo cáo này đang được Phòng Nội vụ xem xét.")

        def status(self, *args, **kwargs):
            raise RuntimeError("the database went away")

    service = StoreService(tmp_path, Refusing)
    remote = RemoteStore(service.file, fallback=Fallback(None))
    try:
        with pytest.raises(StoreError, match="đang được Phòng Nội vụ xem xét"):
            remote.latest(None, *KEY)
        with pytest.raises(StoreError, match="chưa có gì được ghi"):   # an unexpected failure: no traceback
            remote.status(None, "2026-6t")
        with pytest.raises(StoreError, match="đang được Phòng Nội vụ xem xét"):   # the connection still serves
            remote.latest(None, *KEY)
    finally:
        remote.close()
        service.close()


def test_a_pages_app_takes_the_servers_templates_and_reads_them_itself_without_a_catalog_served(store, tmp_path,
                                                                                                 monkeypatch):
    from dataclasses import asdict

    from danvan_kit.app.context import App
    from danvan_kit.catalog import load_catalog

    served_catalog = load_catalog(ROOT / "templates")
    read = []
    monkeypatch.setattr("danvan_kit.app.context.load_catalog", lambda: read.append(1) or served_catalog)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with_catalog = StoreService(tmp_path / "a", lambda: store, catalog=lambda: served_catalog)
    without = StoreService(tmp_path / "b", lambda: store)
    try:
        monkeypatch.setenv(SERVICE_ENV, str(with_catalog.file))
        app = App()
        assert isinstance(app.store, RemoteStore) and read == []
        assert app.catalog is not served_catalog           # a copy that travelled, whole
        assert asdict(app.catalog.form("bao-cao-dinh-ky")) == asdict(served_catalog.form("bao-cao-dinh-ky"))
        assert app.catalog.form("bao-cao-dinh-ky").source_text == served_catalog.form("bao-cao-dinh-ky").source_text
        assert app.catalog.organisation == served_catalog.organisation
        assert app.catalog.calendar == served_catalog.calendar
        assert app.catalog.engine("bao-cao-dinh-ky").validate({}).errors   # its engine builds in the kernel
        app.store.close()
        monkeypatch.setenv(SERVICE_ENV, str(without.file))
        other = App()
        assert read == [1] and other.catalog is served_catalog
        other.store.close()
    finally:
        with_catalog.close()
        without.close()
