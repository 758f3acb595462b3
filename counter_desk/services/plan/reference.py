"""The reference office's figures: what the planner uses when an office's own history is too little.

They are the field study's office (Kantor Imigrasi Kelas II Non TPI Blitar) as the simulated office day
(:mod:`counter_desk.services.simulate`) plays it, so the planner and the demo's day agree: an interview of 5.5
minutes (log-normal, shape 0.35), an adjudication of 2 minutes, booked applicants up to 45 minutes early (5 % come
40 minutes late, 5 % never come), 3 % of calls unanswered, and the busy day's walk-ins per hour spread evenly over
the priority groups.
"""

from __future__ import annotations

from counter_desk.services import simulate
from counter_desk.services.plan.model import Arrivals, Counter, Dist

NAME = "Kantor Imigrasi Kelas II Non TPI Blitar"

_PROFILE = simulate.Profile()


def interview() -> Counter:
    minutes = _PROFILE.service_minutes["service"]
    return Counter({}, Dist("lognormal", minutes * 60, low=30.0), no_show_share=_PROFILE.no_show_share)


def adjudication() -> Counter:
    minutes = _PROFILE.service_minutes["adjudication"]
    return Counter({}, Dist("lognormal", minutes * 60, low=30.0), no_show_share=_PROFILE.no_show_share)


def arrivals() -> Arrivals:
    return Arrivals(late_share=_PROFILE.late_share, absent_share=_PROFILE.absent_share)


def walk_ins(categories: list[str]) -> dict[str, dict[int, float]]:
    """The busy day's walk-ins per hour, spread evenly over the office's walk-in ``categories`` that the reference
    office has too (all of them when none matches)."""
    known = [c for c in categories if c in simulate.WALK_IN_CATEGORIES] or list(categories)
    if not known:
        return {}
    return {c: {h: n / len(known) for h, n in simulate.WALK_INS_BY_HOUR.items()} for c in known}
