"""Qt windows. Each binds a form from ``ui/`` and calls services through a TaskRunner; no SQL here."""
