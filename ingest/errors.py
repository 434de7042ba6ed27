"""Errors a librarian can act on, shown by the CLI as one line (``cli._user_errors``).

Kept apart from the jobs so that small modules (the load lock, recovery) can raise them
without importing the Spark job.
"""

from __future__ import annotations


class IngestError(RuntimeError):
    """The ingest cannot run, or its result failed a check; nothing was published."""
