"""Qt adapters: the worker that keeps the database off the GUI thread, the live feed, models, scanner input.

Together with :mod:`counter_desk.views` the only place allowed to import PySide6.
"""
