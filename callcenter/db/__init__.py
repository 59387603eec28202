"""Database foundation shared by every module: one declarative Base, one async engine factory,
one Alembic history (see docs/db.md)."""

from callcenter.db.base import Base, UTCDateTime, utcnow
from callcenter.db.engine import Database, make_engine, make_sessionmaker

__all__ = ["Base", "Database", "UTCDateTime", "make_engine", "make_sessionmaker", "utcnow"]
