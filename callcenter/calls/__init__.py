"""Call records: one row per call, written idempotently through a durable outbox (docs/calls.md)."""
