"""The change feed: follow the event log live, on PostgreSQL (LISTEN/NOTIFY) and SQLite (``data_version``).

Headless: windows and the display wrap :class:`~counter_desk.live.follower.Follower` in a Qt worker.
"""
