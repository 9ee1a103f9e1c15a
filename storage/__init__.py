"""Persistence: typed SQLAlchemy models, sessions, migrations and queries."""
