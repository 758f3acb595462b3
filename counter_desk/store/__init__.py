"""Persistence: SQLAlchemy 2.0 models, engines, the migrations runner and seed loading. No Qt here."""
