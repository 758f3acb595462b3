"""A primary and its synchronous hot standby, both real PostgreSQL servers on this machine.

- The primary is killed (``pg_ctl stop -m immediate``) while stations call through the services and the command
  line; the standby is promoted with ``counter-desk db promote``: every acknowledged ticket and call is on it,
  numbers stay gap-free, the event sequence contiguous, the chain intact, and every station and the live feed
  carry on within 10 s of the promotion, without a restart.
- The standby is killed: the watchdog stops the primary waiting for it, the office keeps working, the warning
  shows; when the standby is back, commits wait for it again and the warning goes.
"""

from __future__ import annotations

import socket
import time

import pytest
from conftest import MONDAY_9
from sqlalchemy import text
from tcpproxy import Proxy
from test_standby_cluster import Office, audit, office_url, start_pair, wait_for
from waiting import press_again

from counter_desk.cli import main
from counter_desk.clock import FixedClock
from counter_desk.live.follower import ONLINE
from counter_desk.services import replication
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database

pytestmark = pytest.mark.slow

RESUME_LIMIT_S = 10.0


def test_failover_to_the_promoted_standby_loses_nothing() -> None:
    primary, standby = start_pair()
    office = Office(office_url(primary, standby))
    try:
        office.start()
        wait_for(lambda: len(office.acks) >= 30 and len(office.seen) > 0, 60)
        killed = time.monotonic()
        primary.stop("immediate")
        time.sleep(1.0)  # the office notices; nothing can be acknowledged while no server accepts writes
        assert main(["--db", standby.url("office"), "db", "promote"]) == 0
        promoted = time.monotonic()
        assert office.acks_between(killed + 0.5, promoted) == []
        # Every station acts again on the new primary, without a restart: each one's first success after it. The
        # command-line desk starts a process per action: every process started after the promotion succeeds.
        services = ("reception-1", *office.booths)
        wait_for(lambda: {a.station for a in office.acks if a.at > promoted} >= set(services), 30)
        resumed = {s: min(a.at for a in office.acks if a.at > promoted and a.station == s) - promoted for s in services}
        wait_for(lambda: any(code == 0 for _, code in office.cli_after(promoted)), 60)
        wait_for(lambda: any(t > promoted for t in office.seen_at), 30)
        follower_back = min(t for t in office.seen_at if t > promoted) - promoted
        time.sleep(1.0)
    finally:
        office.stop()
        primary.cleanup()
    try:
        assert office.errors == []
        assert max(resumed.values()) < RESUME_LIMIT_S, resumed
        cli_runs = office.cli_after(promoted)
        assert cli_runs and all(code == 0 for _, code in cli_runs), cli_runs
        assert cli_runs[0][0] < RESUME_LIMIT_S
        assert follower_back < RESUME_LIMIT_S
        assert office.follower is not None and office.follower.state.state == ONLINE
        assert office.follower.reconnects >= 1
        result = audit(standby.url("office"), office.acks)
        assert result["lost"] == []
        assert result["number_gaps"] == []
        assert result["events_contiguous"] and result["chain_ok"]
        # The live feed handed every event exactly once, in order, across the failover.
        assert office.seen == list(range(1, len(office.seen) + 1))
        assert len(office.seen) >= result["events"] - 50  # it kept up until the end (the last steps may lag)
        # The new primary does not wait for a standby it does not have.
        db = Database.connect(standby.url("office"))
        try:
            assert replication.status(db).synchronous == ""
        finally:
            db.dispose()
    finally:
        standby.cleanup()


def test_standby_killed_the_primary_keeps_serving_and_warns(capsys: pytest.CaptureFixture[str]) -> None:
    primary, standby = start_pair()
    url = primary.url("office")
    db = Database.connect(url)
    dog = replication.Watchdog(Database.connect(url), after_s=2.0)
    office = Office(office_url(primary, standby))
    try:
        assert replication.status(db).ok
        office.start(cli=False)
        wait_for(lambda: len(office.acks) >= 10, 60)
        standby.stop("immediate")
        killed = time.monotonic()
        # Commits wait for the standby that is gone, until the watchdog stops them waiting.
        did: list[str | None] = []
        wait_for(lambda: did.append(dog.step()) or "degraded" in did, 20, step=0.2)
        degraded = time.monotonic()
        assert degraded - killed >= 2.0
        # Until then nothing new was acknowledged: commits really waited for the standby.
        assert office.acks_between(killed + 0.3, degraded - 0.1) == []
        resumed = wait_for(lambda: office.first_ack_after(killed + 0.1) is not None, 20)
        assert time.monotonic() - killed < 2.0 + 5.0
        state = replication.status(db)
        assert not state.ok and state.synchronous == ""
        assert any("not connected" in w for w in state.warnings)
        assert any("on this server only" in w for w in state.warnings)
        assert main(["--db", url, "db", "status", "--json"]) == 1
        assert "not connected" in capsys.readouterr().out
        # The standby comes back: the watchdog makes commits wait for it again; the warning goes.
        standby.restart()
        wait_for(lambda: dog.step() == "restored", 30, step=0.3)
        wait_for(lambda: replication.status(db).ok, 10)
        before = len(office.acks)
        wait_for(lambda: len(office.acks) > before + 5, 20)
    finally:
        office.stop()
        dog.db.dispose()
        db.dispose()
        standby.cleanup()
        primary.cleanup()
    assert office.errors == []
    assert resumed < 10


def test_a_click_committed_before_the_crash_acts_once_on_the_promoted_standby() -> None:
    """The ambiguous moment: the primary committed a call (so the synchronous standby has it) but the answer never
    reached the booth, and then the primary died. The booth's retry, same token, on the promoted standby, finds the
    call already done: one applicant called, once, and the officer is told exactly that."""
    primary, standby = start_pair()
    proxy = Proxy(primary.port)
    clock = FixedClock(MONDAY_9)
    direct = Database.connect(primary.url("office"))
    booth_db = Database.connect(
        f"postgresql://postgres@/office?host=127.0.0.1:{proxy.port}&host=127.0.0.1:{standby.port}"
    )
    booth = QueueService(booth_db, clock=clock)
    desk = QueueService(direct, clock=clock)
    promoted: list[bool] = []
    try:
        booth.status(station="interview-1")  # a pooled connection through the proxy
        for point in range(1, 40):
            desk.check_in(walk_in="elderly", station="reception-1")
            token = f"booth1-{point}"

            def between_attempts(_pause: float, token: str = token) -> None:
                proxy.disarm()
                if promoted:
                    time.sleep(0.1)
                    return
                with direct.read() as s:
                    committed = s.execute(
                        text("SELECT count(*) FROM idempotency_keys WHERE token = :t"), {"t": token}
                    ).scalar_one()
                if committed:  # the ambiguous moment: now the primary dies and the standby takes over
                    # The dead primary's address refuses connections (shutdown wakes the proxy's blocked accept).
                    proxy.listener.shutdown(socket.SHUT_RDWR)
                    proxy.close()
                    primary.stop("immediate")
                    direct.dispose()
                    promoting = Database.connect(standby.url("office"))
                    try:
                        replication.promote(promoting)
                    finally:
                        promoting.dispose()
                    promoted.append(True)

            proxy.cut_after(point, forward=True)
            done = press_again(
                lambda t=token: booth.call_next("interview-1", token=t), within_s=30, sleep=between_attempts
            )
            proxy.disarm()
            if promoted:
                break
            booth.finish("interview-1")
        assert promoted, "no cut fell between the commit and its answer"
        assert done.replayed and done.failed_attempts >= 1
        message = replication.outcome_message(done, f"{done.result.ticket.number} called")
        assert message == f"Saved once, before the connection broke (not repeated): {done.result.ticket.number} called"
        after = Database.connect(standby.url("office"))
        try:
            with after.read() as s:
                calls = s.execute(
                    text("SELECT count(*) FROM events WHERE kind = 'called' AND ticket_id = :t"),
                    {"t": done.result.ticket.id},
                ).scalar_one()
                held = s.execute(
                    text(
                        "SELECT count(*) FROM tickets t JOIN stations st ON st.id = t.station_id"
                        " WHERE st.code = 'interview-1' AND t.status IN ('called', 'serving')"
                    )
                ).scalar_one()
        finally:
            after.dispose()
        assert (calls, held) == (1, 1)
        # The booth carries on, on the new primary, without a restart.
        booth.finish("interview-1")
    finally:
        proxy.close()
        booth_db.dispose()
        direct.dispose()
        standby.cleanup()
        primary.cleanup()


def test_an_office_that_chose_it_fails_over_by_itself() -> None:
    """The watchdog on the standby PC (``db standby watch --promote-after 2``): the primary dies, the standby
    promotes itself, the office carries on, nothing acknowledged is lost."""
    primary, standby = start_pair()
    dog = replication.Watchdog(Database.connect(standby.url("office")), promote_after_s=2.0)
    office = Office(office_url(primary, standby))
    try:
        assert dog.step() is None  # the primary is there: nothing to do
        office.start(cli=False)
        wait_for(lambda: len(office.acks) >= 10, 60)
        primary.stop("immediate")
        killed = time.monotonic()
        did: list[str | None] = []
        wait_for(lambda: did.append(dog.step()) or "promoted" in did, 30, step=0.2)
        promoted = time.monotonic()
        assert promoted - killed >= 2.0
        wait_for(lambda: office.first_ack_after(promoted) is not None, RESUME_LIMIT_S)
        before = len(office.acks)
        wait_for(lambda: len(office.acks) > before + 5, 20)
    finally:
        office.stop()
        dog.db.dispose()
        primary.cleanup()
    try:
        assert office.errors == []
        result = audit(standby.url("office"), office.acks)
        assert result["lost"] == [] and result["number_gaps"] == []
        assert result["events_contiguous"] and result["chain_ok"]
    finally:
        standby.cleanup()
