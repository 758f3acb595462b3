"""Failover figures: a primary killed mid-run, its synchronous standby promoted; and a standby killed.

Two real PostgreSQL servers on this machine (tests/db/test_standby_cluster.py), an office of one reception desk
through the services, one through the command line (a process per action), three booths and a live follower, all
on one multi-host URL. Prints the figures and writes bench/results/failover.json:

- ``resume_after_promotion_s``: from ``counter-desk db promote`` returning to each station's first acknowledged
  action on the new primary (max over the stations working through the services), and to the live feed's first
  event; for the command-line desk, its first completed action and whether any process started after the
  promotion failed;
- ``lost``: acknowledged actions missing on the new primary (must be 0); ``replayed``: clicks whose first attempt
  had committed before the crash and whose retry (same token) was answered from the record instead of acting again;
- ``stall_s`` (standby killed): from the kill to the office's next acknowledged action, with the watchdog's
  ``after_s``.

    python bench/failover.py [--rounds 3] [--after 2]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "db")]

from test_standby_cluster import Office, audit, office_url, start_pair, wait_for  # noqa: E402

from counter_desk.cli import main  # noqa: E402
from counter_desk.services import replication  # noqa: E402
from counter_desk.store.engine import Database  # noqa: E402

#: Long-running clients (the windows' way): through the services.
SERVICES = ("reception-1", "interview-1", "interview-2", "interview-3")


def failover_round(run_s: float) -> dict[str, Any]:
    primary, standby = start_pair()
    office = Office(office_url(primary, standby))
    try:
        office.start()
        wait_for(lambda: len(office.acks) >= 10, 60)
        time.sleep(run_s)
        killed = time.monotonic()
        primary.stop("immediate")
        time.sleep(1.0)
        before_promote = time.monotonic()
        assert main(["--db", standby.url("office"), "db", "promote"]) == 0
        promoted = time.monotonic()
        wait_for(lambda: {a.station for a in office.acks if a.at > promoted} >= set(SERVICES), 60)
        resumed = {s: min(a.at for a in office.acks if a.at > promoted and a.station == s) - promoted for s in SERVICES}
        wait_for(lambda: any(code == 0 for _, code in office.cli_after(promoted)), 60)
        cli_done = min(a.at for a in office.acks if a.at > promoted and a.station == "reception-2") - promoted
        cli_runs = office.cli_after(promoted)
        wait_for(lambda: any(t > promoted for t in office.seen_at), 60)
        feed = min(t for t in office.seen_at if t > promoted) - promoted
        time.sleep(run_s)
    finally:
        office.stop()
        primary.cleanup()
    try:
        result = audit(standby.url("office"), office.acks)
    finally:
        standby.cleanup()
    return {
        "promote_s": round(promoted - before_promote, 3),
        "kill_to_promoted_s": round(promoted - killed, 3),
        "resume_after_promotion_s": round(max(resumed.values()), 3),
        "resume_by_station_s": {k: round(v, 3) for k, v in resumed.items()},
        "feed_resume_s": round(feed, 3),
        # The command-line desk: a new process per action (start-up is most of its time on a loaded machine).
        "cli_first_done_after_promotion_s": round(cli_done, 3),
        "cli_processes_started_after_promotion": len(cli_runs),
        "cli_processes_failed_after_promotion": sum(code != 0 for _, code in cli_runs),
        "acknowledged": result["acknowledged"],
        "lost": len(result["lost"]),
        "replayed": result["replayed"],
        "retried": result["retried"],
        "number_gaps": result["number_gaps"],
        "events_contiguous": result["events_contiguous"],
        "chain_ok": result["chain_ok"],
        "office_errors": office.errors,
    }


def standby_lost_round(after_s: float) -> dict[str, Any]:
    primary, standby = start_pair()
    url = primary.url("office")
    dog = replication.Watchdog(Database.connect(url), after_s=after_s)
    office = Office(office_url(primary, standby))
    try:
        office.start(cli=False)
        wait_for(lambda: len(office.acks) >= 10, 60)
        standby.stop("immediate")
        killed = time.monotonic()
        wait_for(lambda: dog.step() == "degraded", 30, step=0.2)
        wait_for(lambda: office.first_ack_after(killed + 0.1) is not None, 30)
        stall = (office.first_ack_after(killed + 0.1) or 0.0) + 0.1  # from the kill to the next acknowledgement
        standby.restart()
        back = wait_for(lambda: dog.step() == "restored", 60, step=0.3)
    finally:
        office.stop()
        dog.db.dispose()
        standby.cleanup()
        primary.cleanup()
    return {"after_s": after_s, "stall_s": round(stall, 3), "resync_s": round(back, 3), "errors": office.errors}


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--run", type=float, default=2.0, help="seconds of work before and after the failover")
    parser.add_argument("--after", type=float, default=2.0, help="watchdog: seconds without the standby")
    args = parser.parse_args()
    rounds = []
    for n in range(args.rounds):
        r = failover_round(args.run)
        rounds.append(r)
        print(
            f"failover {n + 1}: promote {r['promote_s']} s;"
            f" every station again after {r['resume_after_promotion_s']} s,"
            f" the live feed after {r['feed_resume_s']} s, the CLI desk after {r['cli_first_done_after_promotion_s']} s"
            f" ({r['cli_processes_failed_after_promotion']} of its processes started since failed);"
            f" acknowledged {r['acknowledged']}, lost {r['lost']},"
            f" replayed {r['replayed']}, retried {r['retried']}"
        )
    lost_standby = standby_lost_round(args.after)
    print(
        f"standby killed: office stalled {lost_standby['stall_s']} s (watchdog after {args.after} s);"
        f" back in sync {lost_standby['resync_s']} s after the standby restarted"
    )
    resume = [r["resume_after_promotion_s"] for r in rounds]
    summary = {
        "machine": f"{platform.machine()} {platform.system()}, {platform.python_version()}",
        "rounds": rounds,
        "resume_after_promotion_s": {"max": max(resume), "median": statistics.median(resume)},
        "feed_resume_s": {"max": max(r["feed_resume_s"] for r in rounds)},
        "lost_total": sum(r["lost"] for r in rounds),
        "replayed_total": sum(r["replayed"] for r in rounds),
        "standby_killed": lost_standby,
    }
    out = ROOT / "bench" / "results" / "failover.json"
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main_()
