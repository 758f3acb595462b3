"""A connection lost in the middle of a call -- even during its COMMIT -- never calls a second applicant.

The test's proxy cuts the line at every point of a ``call_next``: before a message reaches the server, or after
the server acted on it but before its answer reaches the client (the ambiguous commit). The station retries
with the same token, as the window does; exactly one applicant is called and every call is logged once.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from tcpproxy import Proxy

from counter_desk.clock import FixedClock
from counter_desk.errors import DatabaseUnavailable
from counter_desk.services.queue import QueueService
from counter_desk.store.engine import Database


@pytest.mark.parametrize("forward", [False, True], ids=["request-lost", "answer-lost"])
def test_cut_at_every_point_of_a_call_then_retry_calls_exactly_one(
    pg_url: str, clock: FixedClock, forward: bool
) -> None:
    url = make_url(pg_url)
    assert url.port is not None
    proxy = Proxy(url.port, url.host or "127.0.0.1")
    direct = QueueService(Database.connect(pg_url), clock=clock)
    proxied_db = Database.connect(url.set(port=proxy.port))
    proxied = QueueService(proxied_db, clock=clock)
    proxied.status(station="interview-1")  # a pooled connection through the proxy
    outcomes = {"cut": 0, "replayed": 0}
    try:
        for point in range(1, 40):
            direct.check_in(walk_in="elderly", station="reception-1")
            token = f"booth1-{forward}-{point}"
            proxy.cut_after(point, forward=forward)
            try:
                result = proxied.call_next("interview-1", token=token)
                cut = False
            except DatabaseUnavailable:
                cut = True
                proxy.disarm()
                result = proxied.call_next("interview-1", token=token)  # the window's retry
            proxy.disarm()
            outcomes["cut"] += cut
            outcomes["replayed"] += result.replayed
            (booth,) = [st for st in direct.status(station="interview-1").stations if st.code == "interview-1"]
            assert booth.ticket is not None and booth.ticket.number == result.ticket.number, f"cut at {point}"
            with direct.db.read() as s:
                calls = s.execute(
                    text("SELECT count(*) FROM events WHERE kind = 'called' AND ticket_id = :t"),
                    {"t": result.ticket.id},
                ).scalar_one()
            assert calls == 1, f"cut at chunk {point}: {calls} calls logged"
            direct.finish("interview-1")
            if not cut:
                break  # the whole call fitted before this point: every point has been cut
    finally:
        proxy.close()
        proxied_db.dispose()
        direct.db.dispose()
    assert outcomes["cut"] >= 2
    if forward:
        # At least one cut fell after the server committed: the retry found the token and replayed it.
        assert outcomes["replayed"] >= 1
