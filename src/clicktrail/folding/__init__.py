"""The folder: derives link counters, customer totals and the analytics rollups from the event
rows after their commit, exactly once (docs/architecture.md, "Events first")."""
