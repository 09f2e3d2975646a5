"""Ledger tests: SQLite and PostgreSQL backends, write-ahead, budgets, concurrency, CLI."""
