"""Migrations: the schema the migrations build is the schema the code uses, and old stores upgrade."""
from __future__ import annotations

from datetime import date, datetime, timezone

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect, text

from danvan_kit.catalog.loading import load_catalog
from danvan_kit.cli import main
from danvan_kit.store import Store
from danvan_kit.store.accounts import hash_passcode
from danvan_kit.store.audit import record
from danvan_kit.store.engine import make_engine
from danvan_kit.store.migrate import current_revision, downgrade, head_revision, upgrade
from danvan_kit.store.reference import read_reference
from danvan_kit.store.tables import login_attempts, metadata, sessions


def test_the_migrations_build_exactly_the_tables_the_code_declares(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    engine.dispose()
    assert diff == []


def test_migrating_twice_changes_nothing(db_url):
    with Store.open(db_url) as store:
        store.migrate()
        store.migrate()
        assert current_revision(store.engine) == head_revision() == "0004"


def test_downgrading_0003_drops_sessions_and_attempts_keeps_the_audit_log_and_upgrades_again(db_url):
    at = datetime(2026, 4, 20, 3, 0, tzinfo=timezone.utc)
    with Store.open(db_url) as store:
        store.migrate()
        analyst = store.create_account("phongnoivu", role="analyst", passcode="mat-khau-1")
        with store.engine.begin() as conn:
            conn.execute(sessions.insert().values(token_hash="0" * 64, account_id=analyst.id, created_at=at,
                                                  last_seen=at, client="10.0.0.7", user_agent="Firefox"))
            conn.execute(login_attempts.insert().values(at=at, login="phongnoivu", client="10.0.0.7", ok=True))
            record(conn, at, "phongnoivu", "login", "ok", client="10.0.0.7")
        audited = len(store.audit(store.system_actor(), 1000))
    engine = make_engine(db_url)
    downgrade(engine, "0002")
    assert current_revision(engine) == "0002"
    schema = inspect(engine)
    assert not {"sessions", "login_attempts"} & set(schema.get_table_names())
    assert "client" not in {c["name"] for c in schema.get_columns("audit_log")}
    assert {"ix_audit_log_at", "ix_audit_log_actor"} <= {i["name"] for i in schema.get_indexes("audit_log")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == audited
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    engine.dispose()
    assert diff == []


def test_downgrading_0004_drops_the_opening_day_and_upgrading_reads_old_periods_as_open_from_new_year(
        db_url, organisation, calendar):
    with Store.open(db_url) as store:
        store.migrate()
        store.load_reference(organisation, calendar, [])
    engine = make_engine(db_url)
    downgrade(engine, "0003")
    assert current_revision(engine) == "0003"
    assert "opens" not in {c["name"] for c in inspect(engine).get_columns("periods")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM periods")).scalar_one() == len(calendar.periods)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        assert conn.execute(text("SELECT count(*) FROM periods WHERE opens IS NULL")).scalar_one() == len(
            calendar.periods)
        ref = read_reference(conn)
    engine.dispose()
    assert diff == []
    assert ref.periods["2027-nam"].opens == date(2027, 1, 1)    # a period loaded before 0004 opens on 01/01


def _fill_first_schema(engine) -> None:
    """Rows written with plain SQL against the 0001 schema, as an old release would have left them."""
    pg = engine.dialect.name == "postgresql"
    at = datetime(2026, 4, 20, 3, 0, tzinfo=timezone.utc) if pg else "2026-04-20 03:00:00.000000"
    js = (lambda name: f"CAST(:{name} AS jsonb)") if pg else (lambda name: f":{name}")
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO units (code, name, kind, reports, reports_to, org_id, active, updated_at) "
                          f"VALUES ('XA-AN-PHU', 'Xã An Phú', 'commune', :t, {js('rt')}, 'hon-quan-2023', :t, :at)"),
                     {"t": True, "rt": '["UBND-HUYEN"]', "at": at})
        conn.execute(text("INSERT INTO periods (id, year, kind, title, form_id, due) VALUES "
                          "('2026-6t', 2026, 'six_month', 'Báo cáo 6 tháng đầu năm 2026', 'bao-cao-dinh-ky', :due)"),
                     {"due": date(2026, 5, 5)})
        form = load_catalog().form("bao-cao-dinh-ky", 1)  # the shipped template, as init will load it
        conn.execute(text("INSERT INTO form_templates (form_id, version, title, source_text, loaded_at) "
                          "VALUES ('bao-cao-dinh-ky', 1, :title, :src, :at)"),
                     {"title": form.title, "src": form.source_text, "at": at})
        conn.execute(text("INSERT INTO accounts (id, login, role, unit_code, passcode_hash, display_name, hub_user, "
                          "active, created_at) VALUES (1, 'xa-an-phu', 'unit', 'XA-AN-PHU', :h, 'Xã An Phú', NULL, "
                          ":t, :at)"), {"h": hash_passcode("mat-khau-cu"), "t": True, "at": at})
        conn.execute(text("INSERT INTO submissions (id, unit_code, form_id, period_id, item, created_at, "
                          "revision_count, last_revision_id, last_submitted_revision_id) VALUES "
                          "(1, 'XA-AN-PHU', 'bao-cao-dinh-ky', '2026-6t', '', :at, 1, 1, 1)"), {"at": at})
        conn.execute(text(f"INSERT INTO revisions (id, submission_id, number, kind, data, template_version, author, "
                          f"created_at, on_time, days_late, attempt_id) VALUES (1, 1, 1, 'submitted', {js('d')}, 1, "
                          f"'xa-an-phu', :at, :t, 0, 'cu-1')"),
                     {"d": '{"so_cuoc": 12, "ghi_chu": "Tuyên truyền ở ấp Sóc Lớn"}', "at": at, "t": True})
        conn.execute(text("INSERT INTO audit_log (at, actor, action, outcome, unit_code, form_id, period_id, item, "
                          "revision_id, detail) VALUES (:at, 'xa-an-phu', 'submit', 'ok', 'XA-AN-PHU', "
                          "'bao-cao-dinh-ky', '2026-6t', '', 1, 'bản 1')"), {"at": at})
        if pg:  # rows inserted with explicit ids: move the sequences past them, as the old release would have
            for table in ("accounts", "submissions", "revisions"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1)"))


def test_a_store_made_by_the_first_migration_upgrades_with_danvan_init_and_keeps_its_data(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    _fill_first_schema(engine)
    engine.dispose()

    result = CliRunner().invoke(main, ["init", "--db-url", db_url])
    assert result.exit_code == 0, result.output

    with Store.open(db_url) as store:
        assert current_revision(store.engine) == head_revision()
        unit = store.authenticate("xa-an-phu", "mat-khau-cu")
        assert unit is not None and unit.unit_code == "XA-AN-PHU"
        [old] = store.history(unit, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t")
        assert (old.number, old.kind, old.attempt_id) == (1, "submitted", "cu-1")
        assert old.data == {"so_cuoc": 12, "ghi_chu": "Tuyên truyền ở ấp Sóc Lớn"}
        assert old.created_at == datetime(2026, 4, 20, 3, 0, tzinfo=timezone.utc)
        analyst = store.create_account("phongnoivu", role="analyst")
        assert [e.detail for e in store.audit(analyst, 100) if e.action == "submit"] == ["bản 1"]
        # The new schema works on the old data: reviews (0002) and the next revision number.
        store.review(analyst, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", state="needs_correction",
                     comment="Bổ sung mục 5")
        assert store.review_state(unit, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t").revision_number == 1
        again = store.submit(unit, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", {"so_cuoc": 13},
                             template_version=1, attempt_id="moi-1")
        assert again.revision.number == 2
        assert store.submit(unit, "XA-AN-PHU", "bao-cao-dinh-ky", "2026-6t", {"so_cuoc": 12},
                            template_version=1, attempt_id="cu-1").duplicate
