"""A booth's day as it really goes (issue 14): setting an applicant aside, and pausing the booth.

- **Park** (*tunda*): the applicant must fetch a missing document (fotokopi KK, akta). The ticket is set aside at
  its booth with a reason; the booth calls others meanwhile; **resume** calls it back to the SAME booth, without
  queueing again. A supervisor may put a parked ticket back into the queue (``return``) if the booth closes.
- **Pause** (*jeda*): the booth stops calling for a reason (break, prayer, system trouble). A paused booth is not
  open: the waiting-time estimate, the dashboard and the report count it so. It calls nobody until resumed.

Each is one transaction with its event (``parked``, ``resumed``, ``station_paused``, ``station_resumed``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from counter_desk.clock import office_local
from counter_desk.errors import Conflict, InvalidInput, InvalidTransition
from counter_desk.i18n import _
from counter_desk.services import directory
from counter_desk.services.actions import ActionContext, PendingEvent, QueueCore, clean_reason
from counter_desk.services.queue_errors import StationPaused
from counter_desk.services.views import PAUSE_REASONS, Result, StationPause, TicketLike, TicketView, pause_reason_label
from counter_desk.states import HELD, Action, StationEvent, Status
from counter_desk.store.journal import append_event
from counter_desk.store.models import StationPause as PauseRow
from counter_desk.store.models import Ticket


def _pause_view(row: PauseRow, station: str, seq: int | None = None) -> StationPause:
    return StationPause(
        station=station, reason=row.reason, note=row.note, since=row.started_at, until=row.ended_at, event_seq=seq
    )


class CounterUse(QueueCore):
    """Park / resume a ticket, pause / unpause a booth: part of :class:`~counter_desk.services.queue.QueueService`."""

    # ------------------------------------------------------------------ park and resume

    def park(
        self,
        station: str,
        reason: str,
        *,
        ticket: str | None = None,
        token: str | None = None,
        user: str | None = None,
    ) -> Result:
        """Set the booth's ticket aside (the applicant fetches a document): the booth is free, the ticket stays
        the booth's and comes back to it with :meth:`resume`. The reason is required and recorded."""
        why = clean_reason(reason, required=True)

        def act(ctx: ActionContext) -> tuple[TicketLike, PendingEvent, int | None]:
            st = self._station(ctx, station)
            t = self._held(ctx, st, ticket)
            return t, self._transition(ctx, t, Action.PARK, station_id=st.id, reason=why), None

        return self._mutate(Action.PARK, token, user, act, station=station)

    def resume(
        self, station: str, *, ticket: str | None = None, token: str | None = None, user: str | None = None
    ) -> Result:
        """Call a parked ticket back to its booth (the applicant is back). Only the booth that parked it may."""

        def act(ctx: ActionContext) -> tuple[TicketLike, PendingEvent, int | None]:
            st = self._station(ctx, station)
            self._refuse_if_paused(ctx, st)
            t = self._parked_at(ctx, st, ticket)
            self._refuse_if_busy(ctx, st)
            seq = self._transition(
                ctx, t, Action.RESUME, station_id=st.id, called_at=ctx.now, call_count=t.call_count + 1
            )
            return t, seq, None

        return self._mutate(Action.RESUME, token, user, act, station=station)

    def _parked_at(self, ctx: ActionContext, st: directory.StationInfo, number: str | None) -> Ticket:
        """The parked ticket of booth ``st`` (``number``, or its only one), row-locked."""
        if number is not None:
            t = self._find_ticket(ctx, number)
            if t.status != Status.PARKED.value:
                raise InvalidTransition(_("cannot resume {number}: it is not set aside", number=t.number))
            if t.station_id != st.id:
                names = ctx.name_maps()
                msg = _(
                    "{number} was set aside at {booth}: it comes back there, not to {station}",
                    number=t.number,
                    booth=names.stations.get(t.station_id or 0, "?"),
                    station=st.code,
                )
                raise InvalidTransition(msg)
            return t
        parked = list(
            ctx.session.scalars(
                select(Ticket)
                .where(Ticket.station_id == st.id, Ticket.status == Status.PARKED.value)
                .order_by(Ticket.updated_at, Ticket.id)
                .with_for_update()
            )
        )
        if not parked:
            raise InvalidTransition(_("station {station} has no ticket set aside", station=st.code))
        if len(parked) > 1:
            msg = _(
                "station {station} has {count} tickets set aside ({numbers}): name the one that came back",
                station=st.code,
                count=len(parked),
                numbers=", ".join(t.number for t in parked),
            )
            raise InvalidInput(msg)
        return parked[0]

    def parked(self, station: str) -> list[TicketView]:
        """The tickets set aside at ``station``, oldest first."""
        with self.db.read() as session:
            ctx = self._ctx(session, None)
            st = self._station(ctx, station)
            rows = session.scalars(
                select(Ticket)
                .where(Ticket.station_id == st.id, Ticket.status == Status.PARKED.value)
                .order_by(Ticket.updated_at, Ticket.id)
            )
            return [self._view(ctx, t) for t in rows]

    # ------------------------------------------------------------------ pausing a booth

    def _refuse_if_paused(self, ctx: ActionContext, st: directory.StationInfo) -> None:
        row = ctx.session.scalars(
            select(PauseRow).where(PauseRow.station_id == st.id, PauseRow.ended_at.is_(None))
        ).first()
        if row is not None:
            msg = _(
                "station {station} is paused ({reason}) since {time}: end the pause first",
                station=st.code,
                reason=pause_reason_label(row.reason),
                time=office_local(row.started_at, ctx.office.timezone).strftime("%H:%M"),
            )
            raise StationPaused(msg)

    def pause_station(
        self, station: str, reason: str, *, note: str | None = None, user: str | None = None
    ) -> StationPause:
        """Pause the booth for ``reason`` (:data:`PAUSE_REASONS`; ``other`` needs a ``note``): it calls nobody and
        counts as not open until :meth:`unpause_station`. Refused while it holds a called or serving ticket."""
        if reason not in PAUSE_REASONS:
            msg = _(
                "pause reason must be one of {reasons}, not {reason!r}", reasons=", ".join(PAUSE_REASONS), reason=reason
            )
            raise InvalidInput(msg)
        why = clean_reason(note, required=reason == "other")
        try:
            with self.db.write() as session:
                ctx = self._ctx(session, user)
                if user is not None:
                    self._authorise(ctx, Action.CALL, station, user)
                st = self._station(ctx, station)
                held = session.scalars(
                    select(Ticket.number).where(Ticket.station_id == st.id, Ticket.status.in_([s.value for s in HELD]))
                ).first()
                if held is not None:
                    msg = _(
                        "station {station} holds {number}: finish it or set it aside before pausing",
                        station=st.code,
                        number=held,
                    )
                    raise Conflict(msg)
                self._refuse_if_paused(ctx, st)
                row = PauseRow(
                    office_id=ctx.office.id,
                    station_id=st.id,
                    reason=reason,
                    note=why,
                    started_at=ctx.now,
                    started_by=ctx.user_id,
                )
                session.add(row)
                session.flush()
                seq = append_event(
                    session,
                    office_id=ctx.office.id,
                    kind=StationEvent.PAUSE.value,
                    at=ctx.now,
                    stage_id=st.stage_id,
                    station_id=st.id,
                    user_id=ctx.user_id,
                    reason=why,
                    data={"reason": reason},
                )
                return _pause_view(row, st.code, seq)
        except IntegrityError as exc:
            if "station_pauses" in str(exc.orig):
                msg = _("station {station} was paused a moment ago from another window", station=station)
                raise Conflict(msg) from exc
            raise

    def unpause_station(self, station: str, *, user: str | None = None) -> StationPause:
        """End the booth's pause: it is open again."""
        with self.db.write() as session:
            ctx = self._ctx(session, user)
            if user is not None:
                self._authorise(ctx, Action.CALL, station, user)
            st = self._station(ctx, station)
            row = session.scalars(
                select(PauseRow).where(PauseRow.station_id == st.id, PauseRow.ended_at.is_(None)).with_for_update()
            ).first()
            if row is None:
                raise InvalidTransition(_("station {station} is not paused", station=st.code))
            row.ended_at = ctx.now
            row.ended_by = ctx.user_id
            session.flush()
            seq = append_event(
                session,
                office_id=ctx.office.id,
                kind=StationEvent.UNPAUSE.value,
                at=ctx.now,
                stage_id=st.stage_id,
                station_id=st.id,
                user_id=ctx.user_id,
                data={"reason": row.reason, "paused_seconds": int((ctx.now - row.started_at).total_seconds())},
            )
            return _pause_view(row, st.code, seq)
