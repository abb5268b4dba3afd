"""Alembic environment for the danvan store.

Normally run from Python (`Store.migrate()`, `danvan init`), which passes an
open connection in `config.attributes["connection"]`. For writing a new
migration by hand, `DANVAN_DB_URL` is used when no connection is given.
"""
from __future__ import annotations

from alembic import context

from danvan_kit.store.tables import metadata

config = context.config


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # pragma: no cover - developer use only
    from danvan_kit.store.engine import make_engine, resolve_url

    engine = make_engine(resolve_url())
    with engine.begin() as conn:
        _run(conn)
