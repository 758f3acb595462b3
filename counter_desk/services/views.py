"""Plain, immutable values the services hand back: what windows show and the CLI prints as JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class TicketView:
    id: int
    number: str
    day: dt.date
    status: str
    stage: str
    station: str | None
    category: str
    priority_level: int
    front: bool
    booking_code: str | None
    created_at: dt.datetime
    queued_at: dt.datetime
    called_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    call_count: int
    outcome: str | None
    #: The booked hour's start (M-Paspor slot), for booked tickets.
    slot: dt.time | None = None

    def waited_seconds(self, now: dt.datetime) -> int:
        """Seconds in the current stage's queue (until called, if called)."""
        end = self.called_at if self.called_at and self.called_at >= self.queued_at else now
        return max(0, int((end - self.queued_at).total_seconds()))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(asdict(self))
        return data


@dataclass(frozen=True)
class Result:
    """What a ticket action did: the ticket as it now is, and the event that recorded it.

    ``replayed`` is true when the action's idempotency token had been seen: nothing new happened and
    ``event_seq`` is None.
    """

    ticket: TicketView
    event_seq: int | None
    replayed: bool = False
    #: For check-in, return and transfer: how many tickets will be called before this one.
    ahead: int | None = None
    #: For check-in: the estimated wait in seconds (None when there is no recent service to go by).
    estimated_wait_seconds: int | None = None

    def to_json(self) -> dict[str, Any]:
        out = self.ticket.to_json()
        out.update(event_seq=self.event_seq, replayed=self.replayed)
        if self.ahead is not None:
            out["ahead"] = self.ahead
            out["estimated_wait_seconds"] = self.estimated_wait_seconds
        return out


@dataclass(frozen=True)
class WaitingTicket:
    ticket: TicketView
    waited_seconds: int
    over_target: bool


@dataclass(frozen=True)
class StationState:
    code: str
    name: str
    ticket: TicketView | None


@dataclass(frozen=True)
class QueueStatus:
    """A stage's queue in call order, and what each of its stations holds."""

    stage: str
    stage_name: str
    wait_target_minutes: int
    at: dt.datetime
    waiting: list[WaitingTicket] = field(default_factory=list)
    stations: list[StationState] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "stage_name": self.stage_name,
            "wait_target_minutes": self.wait_target_minutes,
            "at": self.at.isoformat(),
            "waiting_count": len(self.waiting),
            "waiting": [
                {**w.ticket.to_json(), "waited_seconds": w.waited_seconds, "over_target": w.over_target}
                for w in self.waiting
            ],
            "stations": [
                {"station": s.code, "name": s.name, "ticket": s.ticket.to_json() if s.ticket else None}
                for s in self.stations
            ],
        }


@dataclass(frozen=True)
class EventView:
    seq: int
    kind: str
    at: dt.datetime
    ticket_id: int | None
    number: str | None
    from_status: str | None
    to_status: str | None
    stage: str | None
    station: str | None
    user: str | None
    reason: str | None
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(asdict(self))
        return data
