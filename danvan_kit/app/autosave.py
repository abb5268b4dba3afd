"""Call a function once typing pauses (autosave), on the kernel's event loop."""
from __future__ import annotations

import asyncio
import logging
from typing import Callable

__all__ = ["Debouncer"]

log = logging.getLogger(__name__)


class Debouncer:
    """`trigger()` (re)starts a timer; `fn` runs `delay` seconds after the last trigger.

    Outside a running event loop (plain Python, tests) nothing is scheduled and
    `pending` stays True until `flush()` runs it.
    """

    def __init__(self, delay: float, fn: Callable[[], None]):
        self.delay, self.fn = delay, fn
        self._handle: asyncio.TimerHandle | None = None
        self.pending = False

    def trigger(self) -> None:
        self.pending = True
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._handle = loop.call_later(self.delay, self.flush)

    def flush(self) -> None:
        """Run now if something is waiting."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if not self.pending:
            return
        self.pending = False
        try:
            self.fn()
        except Exception:  # autosave must never break typing
            log.exception("autosave failed")
