"""The `danvan` command: one click group; each command module registers beside the others."""
from __future__ import annotations

from .commands import main

__all__ = ["main"]
