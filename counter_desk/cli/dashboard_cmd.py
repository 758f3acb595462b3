"""``counter-desk dashboard [--json]``: the supervisor's snapshot of today, for scripts and terminals.

The same figures as the supervisor window (:mod:`counter_desk.services.dashboard`): per stage the queue now and
today's averages against the target with a traffic-light level, per station what it holds and who worked there.
"""

from __future__ import annotations

import argparse

from counter_desk.cli import common, emit
from counter_desk.clock import office_local
from counter_desk.i18n import _
from counter_desk.services import dashboard
from counter_desk.services.views import pause_reason_label


def register(p: argparse.ArgumentParser) -> None:
    """The command's arguments and handler (its name and help: ``COMMANDS`` in ``counter_desk.cli``)."""
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_dashboard)


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else str(int(seconds // 60))


def _dashboard(args: argparse.Namespace) -> int:
    settings = common.settings(args)
    db = common.open_database(settings)
    try:
        d = dashboard.snapshot(db, office=settings.office)
    finally:
        db.dispose()
    lines = [
        _(
            "{office}, {time}: served {served}, issued {issued}, no-shows {no_shows}",
            office=d.office_name,
            time=office_local(d.at, d.timezone).strftime("%H:%M"),
            served=d.served_today,
            issued=d.issued_today,
            no_shows=d.no_shows_today,
        )
    ]
    for s in d.stages:
        lines.append(
            _(
                "  {stage}: {waiting} waiting, longest {longest} min ({longest_level}), average wait {average} min "
                "({average_level}, target {target}), service {service} min",
                stage=s.name,
                waiting=s.waiting,
                longest=_minutes(s.longest_wait_seconds),
                longest_level=dashboard.level_label(s.longest_wait_level),
                average=_minutes(s.average_wait_seconds),
                average_level=dashboard.level_label(s.average_wait_level),
                target=s.wait_target_minutes,
                service=_minutes(s.average_service_seconds),
            )
        )
    for st in d.stations:
        state = dashboard.state_label(st.state)
        if st.pause_reason is not None:
            state = _("{state} ({reason})", state=state, reason=pause_reason_label(st.pause_reason))
        parked = _("{count} set aside", count=st.parked) if st.parked else ""
        parts = [f"{st.code}:", state, st.ticket or "", st.officer or "", parked]
        lines.append("  " + " ".join(part for part in parts if part))
    emit(args, d.to_json(), "\n".join(lines))
    return 0
