"""Counter Desk: queue management for Indonesian passport offices."""

__version__ = "0.1.0"
