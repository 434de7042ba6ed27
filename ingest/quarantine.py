"""Records that could not be read or failed validation, and why.

Nothing is dropped: a bad record becomes a quarantine entry with its raw bytes, the
file and byte offset it came from, a reason class (a short stable word that reports
count by) and a human message.
"""

from __future__ import annotations

import pyarrow as pa


class RecordError(Exception):
    """A record cannot become a canonical record. ``reason`` is a stable class name."""

    reason = "invalid"

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        if reason:
            self.reason = reason


class UnreadableRecord(RecordError):
    """The bytes are not a MARC record pymarc can parse (leader, directory, encoding)."""

    reason = "unreadable"


class InvalidRecord(RecordError):
    """The record parses but lacks what a catalogue record needs (e.g. an 001)."""

    reason = "invalid"


QUARANTINE = pa.schema([
    pa.field("source_file", pa.string(), nullable=False),
    pa.field("offset", pa.int64(), nullable=False),
    pa.field("length", pa.int64(), nullable=False),
    pa.field("reason", pa.string(), nullable=False),
    pa.field("message", pa.string(), nullable=False),
    pa.field("raw", pa.binary(), nullable=False),
])


def entry(source_file: str, offset: int, raw: bytes, error: Exception) -> dict:
    """A quarantine row for ``raw`` read at ``offset`` of ``source_file``."""
    reason = error.reason if isinstance(error, RecordError) else type(error).__name__
    message = str(error) or type(error).__name__
    return {"source_file": source_file, "offset": offset, "length": len(raw),
            "reason": reason, "message": message[:2000], "raw": bytes(raw)}


def spark_schema():
    from pyspark.sql import types as T

    return T.StructType([
        T.StructField("source_file", T.StringType(), False),
        T.StructField("offset", T.LongType(), False),
        T.StructField("length", T.LongType(), False),
        T.StructField("reason", T.StringType(), False),
        T.StructField("message", T.StringType(), False),
        T.StructField("raw", T.BinaryType(), False),
    ])
