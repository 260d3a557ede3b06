"""The DuckDB warehouse: numbered migrations, an append-only statement log, history derived from it."""
