"""What the subcommands share: opening the configured database."""

from __future__ import annotations

import argparse
from pathlib import Path

from counter_desk.config import Settings, load_settings
from counter_desk.store import migrate
from counter_desk.store.engine import Database


def settings(args: argparse.Namespace) -> Settings:
    return load_settings(db=args.db, office=args.office, config=args.config)


def open_database(settings: Settings, *, migrate_sqlite: bool = True) -> Database:
    """Connect; a SQLite file (one PC) is created and migrated on first use, PostgreSQL must be migrated."""
    if settings.db_url.startswith("sqlite:///"):
        file = settings.db_url.removeprefix("sqlite:///")
        if file and file != ":memory:":
            Path(file).parent.mkdir(parents=True, exist_ok=True)
    db = Database.connect(settings.db_url)
    migrate.ensure_schema(db, auto_upgrade=migrate_sqlite and db.dialect == "sqlite")
    return db
