"""The call order of a stage's queue, defined once: put back at the front first, then priority level (highest
first), then the booked slot or arrival (``queue_key``), then the ticket id.

Every query that lists or claims waiting tickets orders by :func:`call_order`; "how many are ahead of this
ticket" compares with :func:`called_before`, built from the same keys, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, and_, literal, or_

from counter_desk.store import schema

_tickets = schema.tickets

#: (column, highest first?) in order of precedence.
CALL_KEYS: tuple[tuple[str, bool], ...] = (
    ("front", True),
    ("priority_level", True),
    ("queue_key", False),
    ("id", False),
)


def call_order(tickets: FromClause | None = None) -> tuple[ColumnElement[Any], ...]:
    """The ORDER BY of the call order over ``tickets`` (the tickets table, or an alias of it)."""
    t = _tickets if tickets is None else tickets
    return tuple(t.c[name].desc() if highest else t.c[name] for name, highest in CALL_KEYS)


def called_before(ticket: Any, tickets: FromClause | None = None) -> ColumnElement[bool]:
    """True for the rows of ``tickets`` the call order puts before ``ticket`` (an object or row with the keys)."""
    t = _tickets if tickets is None else tickets
    alternatives = []
    for i, (name, highest) in enumerate(CALL_KEYS):
        column = t.c[name]
        value = literal(getattr(ticket, name), column.type)  # a bound value, also for True/False
        ahead = column > value if highest else column < value
        same_before = [t.c[n] == literal(getattr(ticket, n), t.c[n].type) for n, _ in CALL_KEYS[:i]]
        alternatives.append(and_(*same_before, ahead))
    return or_(*alternatives)
