"""The incident archive: every incident version and alert, kept in SQLite to search, count and export.

Kafka's incidents topic holds only the latest version of each incident (it is
compacted) and the embedded broker keeps nothing once it stops; the archive is
the durable history. Modules, one job each:

- `versions`: what makes a new version of an incident (pure)
- `diff`: field-level changes between two versions, and applying them (pure)
- `search`: the text the full-text index holds and the query it is asked (pure)
- `schema`: tables and migrations
- `store`: writing batches, one durable transaction each
- `query`: filters, pages, one incident, counts (read-only)
- `export`: CSV and JSON Lines, streamed
- `render`: terminal output (rich)
"""
