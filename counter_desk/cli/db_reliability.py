"""``counter-desk db`` verbs for reliability: standby, backup and restore, the event log's hash chain.

Registered under ``db`` by :func:`counter_desk.cli.db_cmd.register`.
"""

from __future__ import annotations

from typing import Any


def register(verbs: Any) -> None:
    """Add this module's verbs to the ``db`` command's sub-parsers."""
