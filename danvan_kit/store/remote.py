"""Page kernels reach the store through their server: one store, one connection pool, per server.

Each open page is a kernel. Opening the store in every kernel cost each of them SQLAlchemy
and the store's code (about 14 MB of a 80 MB kernel, measured with bench/form_load.py) and,
on PostgreSQL, a connection each. Instead the Voilà server process, which opens the store for
the login anyway, serves the calls a form page makes (`PAGE_METHODS`) on a Unix socket in
Voilà's private connection folder (mode 0700, where the kernels' own sockets are), behind
an HMAC challenge with a key written next to it (`multiprocessing.connection`, the standard
library's authenticated channel). A kernel finds the service from its own connection file.

The service also hands a kernel the server's templates (`catalog`), already read and checked, so a
page's kernel neither parses YAML nor imports pydantic (about 8 MB of each kernel), and shows the
very form versions the server's store checks submissions against.

Nothing about access changes: the kernel sends the account its ticket redeemed, and the
server's store checks that account and its session on every call, as it did in the kernel.
A kernel outside Voilà (tests, JupyterLab, the CLI) has no service and opens the store itself,
as does a kernel once it calls anything beyond `PAGE_METHODS` (the desk reads whole periods).
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any, Callable

from .errors import StoreBusy, StoreError

__all__ = ["PAGE_METHODS", "CATALOG", "SERVICE_FILE", "SERVICE_ENV", "StoreService", "RemoteStore", "find_service",
           "start_service"]

log = logging.getLogger(__name__)

# What a form page or the home page asks of the store; every one takes the acting account (or the
# page's one-use ticket) and is checked by the store itself.
PAGE_METHODS = frozenset({"now", "redeem_page_ticket", "status", "items", "latest", "review_state",
                          "new_item", "save_draft", "submit"})
CATALOG = "catalog"                    # the server's templates, pickled (not a store method)
SERVICE_FILE = "danvan-store.json"     # in Voilà's connection folder: the socket's address and key
SERVICE_ENV = "DANVAN_STORE_SERVICE"   # names that file outright (tests, or a kernel started elsewhere)
REPLY_SECONDS = 120.0                  # a call unanswered this long is "busy" (the store retries for less)
UNREACHABLE = ("Không kết nối được tới kho dữ liệu của máy chủ. Hãy tải lại trang (phím F5); "
               "nếu vẫn không được, báo Phòng Nội vụ.")
FAILED = "Máy chủ gặp lỗi khi xử lý yêu cầu; chưa có gì được ghi. Hãy thử lại sau ít phút hoặc báo Phòng Nội vụ."


class StoreService:
    """Serves `PAGE_METHODS` of one store, and the server's catalog, to this server's kernels (one thread
    per kernel's connection)."""

    def __init__(self, folder: str | Path, store: Callable[[], Any], catalog: Callable[[], Any] | None = None):
        from multiprocessing.connection import Listener

        self.folder = Path(folder)
        self._store = store      # the server's store, opened on first use
        self._catalog = catalog  # the server's templates, read on first use
        self._catalog_blob: bytes | None = None
        key = secrets.token_bytes(32)
        self.address = str(self.folder / "danvan-store.sock")
        Path(self.address).unlink(missing_ok=True)   # left by a server that was killed (the folder is ours)
        self._listener = Listener(self.address, family="AF_UNIX", authkey=key)
        info = self.folder / SERVICE_FILE
        part = info.with_suffix(".part")
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({"address": self.address, "key": key.hex()}, out)
        os.replace(part, info)
        self.file = info
        threading.Thread(target=self._accept, name="danvan-store-service", daemon=True).start()

    def _accept(self) -> None:
        from multiprocessing import AuthenticationError

        while True:
            try:
                conn = self._listener.accept()
            except AuthenticationError:
                log.warning("store service: a connection without the key was refused")
                continue
            except OSError:   # the listener was closed
                return
            threading.Thread(target=self._serve, args=(conn,), name="danvan-store-call", daemon=True).start()

    def _serve(self, conn: Any) -> None:
        with conn:
            while True:
                try:
                    method, args, kwargs = conn.recv()
                except (EOFError, OSError):   # the kernel went away
                    return
                except Exception:             # a call that could not be read: say so, keep serving
                    log.exception("store service: a call could not be read")
                    method, args, kwargs = "", (), {}
                reply = self.answer(method, args, kwargs)
                try:
                    conn.send(reply)
                except (EOFError, OSError):
                    return
                except Exception:   # an answer that cannot travel (pickled before anything is sent)
                    log.exception("store service: the answer to %s cannot be sent", method)
                    conn.send(("error", StoreError(str(reply[1]) if reply[0] == "error" else FAILED)))

    def answer(self, method: str, args: tuple, kwargs: dict) -> tuple[str, Any]:
        """("ok", result) or ("error", a StoreError to raise in the kernel)."""
        if method == CATALOG and self._catalog is not None:
            try:
                return "ok", self._catalog_pickled()
            except Exception:
                log.exception("store service: the templates could not be handed to a kernel")
                return "error", StoreError(FAILED)
        if method not in PAGE_METHODS:
            log.warning("store service: %r refused (not a page's call)", method)
            return "error", StoreError(FAILED)
        try:
            return "ok", getattr(self._store(), method)(*args, **kwargs)
        except StoreError as exc:
            return "error", exc
        except Exception:
            log.exception("store service: %s failed", method)
            return "error", StoreError(FAILED)

    def _catalog_pickled(self) -> bytes:
        """The catalog pickled once (88 KB, 1.4 ms), not once per page."""
        if self._catalog_blob is None:
            import pickle

            assert self._catalog is not None
            self._catalog_blob = pickle.dumps(self._catalog(), protocol=pickle.HIGHEST_PROTOCOL)
        return self._catalog_blob

    def close(self) -> None:
        self._listener.close()
        self.file.unlink(missing_ok=True)


def start_service(folder: str | Path | None, store: Callable[[], Any],
                  catalog: Callable[[], Any] | None = None) -> StoreService | None:
    """The service in `folder` (Voilà's connection folder), or None when there is none or it cannot start."""
    if not folder or not Path(folder).is_dir():
        return None
    try:
        return StoreService(folder, store, catalog)
    except OSError:
        log.exception("store service did not start; kernels will open the store themselves")
        return None


def find_service(environ: dict[str, str] | None = None) -> Path | None:
    """The service file this kernel should use: SERVICE_ENV, else next to the kernel's connection file."""
    env = os.environ if environ is None else environ
    if env.get(SERVICE_ENV):
        return Path(env[SERVICE_ENV])
    import sys

    kernelapp = sys.modules.get("ipykernel.kernelapp")   # only inside a running kernel
    if kernelapp is None or not kernelapp.IPKernelApp.initialized():
        return None
    candidate = Path(kernelapp.IPKernelApp.instance().abs_connection_file).parent / SERVICE_FILE
    return candidate if candidate.is_file() else None


class RemoteStore:
    """The store as a page kernel sees it: `PAGE_METHODS` asked of the server, the rest opened here.

    `fallback` opens a store in this process for anything else (the desk's period reads), which then
    serves every later call too; a form page never needs it, so its kernel never imports SQLAlchemy.
    """

    def __init__(self, service_file: str | Path, fallback: Callable[[], Any]):
        self.service_file = Path(service_file)
        self._fallback = fallback
        self._direct: Any = None
        self._conn: Any = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in PAGE_METHODS and self._direct is None:
            return lambda *args, **kwargs: self._call(name, args, kwargs)
        if self._direct is None:   # from now on this kernel uses its own store for everything: objects
            self._direct = self._fallback()   # such as the store's system actor only mean something to it
        return getattr(self._direct, name)

    def catalog(self) -> Any:
        """The server's templates (catalog.Catalog), as its store checks submissions against them."""
        import pickle

        return pickle.loads(self._call(CATALOG, (), {}))   # noqa: S301 - from our own server, behind its key

    def _connect(self) -> Any:
        from multiprocessing.connection import Client

        info = json.loads(self.service_file.read_text(encoding="utf-8"))
        return Client(info["address"], family="AF_UNIX", authkey=bytes.fromhex(info["key"]))

    def _call(self, method: str, args: tuple, kwargs: dict) -> Any:
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._connect()
                self._conn.send((method, args, kwargs))
                if not self._conn.poll(REPLY_SECONDS):
                    self._drop()
                    raise StoreBusy("Máy chủ đang bận, chưa trả lời; hãy thử lại sau ít phút.")
                status, value = self._conn.recv()
            except StoreError:
                raise
            except Exception as exc:   # no server, a wrong key, a dropped connection
                self._drop()
                log.error("store service unreachable (%s): %s", self.service_file, exc)
                raise StoreError(UNREACHABLE) from None
        if status == "error":
            raise value
        return value

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
            self._conn = None

    def close(self) -> None:
        with self._lock:
            self._drop()
        if self._direct is not None:
            self._direct.close()
