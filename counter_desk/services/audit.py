"""The audit log: who changed what, appended in the transaction of the change it records.

Configuration changes, officer management, bookings imported or edited, personal data purged, a supervisor's
override at check-in: :func:`record`. Sign-ins, their failures and refusals, sign-outs: :func:`record_sign_in`,
which writes the name as typed, whether or not such a user exists. The log is append-only: the database refuses
UPDATE and DELETE on it, and every row is chained (``store.chain``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_desk.store.models import AuditEntry, User

#: The width of ``audit_log.username``.
USERNAME_WIDTH = 64


def find_user_id(session: Session, username: str | None) -> int | None:
    """The id of the user called ``username``, or None (no name, or nobody of that name)."""
    if not username:
        return None
    found = session.scalars(select(User.id).where(User.username == username)).one_or_none()
    return int(found) if found is not None else None


def record(
    session: Session,
    office_id: int,
    kind: str,
    *,
    user: str | None,
    now: dt.datetime,
    detail: Mapping[str, Any],
    station_id: int | None = None,
) -> None:
    """Append one entry to the audit log (in the caller's transaction, so it commits with the change).

    ``user`` is recorded as typed; its id too when such a user exists (an unknown name is no reason to lose
    the entry)."""
    session.add(
        AuditEntry(
            office_id=office_id,
            kind=kind,
            user_id=find_user_id(session, user),
            username=user,
            station_id=station_id,
            detail=dict(detail),
            created_at=now,
        )
    )


def record_sign_in(
    session: Session,
    office_id: int,
    kind: str,
    *,
    username: str,
    user_id: int | None,
    station_id: int | None,
    now: dt.datetime,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append a sign-in line (``signin``, ``signin_failed``, ``signin_refused``, ``signout``).

    The sign-in has already found the user (or found none): ``user_id`` is given, not looked up, and a failed
    attempt with an unknown name is recorded under that name, cut to the column's width."""
    session.add(
        AuditEntry(
            office_id=office_id,
            kind=kind,
            user_id=user_id,
            username=username[:USERNAME_WIDTH],
            station_id=station_id,
            detail=dict(detail or {}),
            created_at=now,
        )
    )
