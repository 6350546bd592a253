"""Structured logs: one JSON object per line, with the request id, never a registration number.

Each line carries `time` (UTC, ISO 8601), `level`, `logger`, `message` and
`request_id` (the `Hub-Request-Id` of the request being served, else null),
plus `exception` when there is one and any `fields` a caller attached
(`extra={"fields": {...}}`, used by the access log for method, endpoint,
status and duration). Code must not log personal data; `RRNMaskingFilter`
is the last line of defence that masks anything shaped like a registration
number (13 digits, `YYMMDD-NNNNNNN` with or without the hyphen).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
from contextvars import ContextVar
from typing import Any, TextIO

import orjson

#: The id of the request being served (set by the observability middleware).
request_id_var: ContextVar[str | None] = ContextVar("hub_request_id", default=None)

_RRN = re.compile(r"(?<!\d)\d{6}-?\d{7}(?!\d)")
RRN_MASK = "######-#######"


def mask_rrns(text: str) -> str:
    """`text` with every 13-digit, registration-number-shaped sequence masked."""
    return _RRN.sub(RRN_MASK, text)


class RRNMaskingFilter(logging.Filter):
    """Masks registration-number-shaped sequences in a record's message and arguments.

    The message is rendered with its arguments first (whatever their types)
    and masked as a whole, so a number split between the format string and
    an argument is caught too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what can be shown
            message = f"{record.msg} {record.args!r}"
        record.msg = mask_rrns(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_rrns(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_rrns(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_rrns(record.getMessage()),
            "request_id": request_id_var.get(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                payload.setdefault(str(key), value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exception"] = mask_rrns(record.exc_text)
        if record.stack_info:
            payload["stack"] = mask_rrns(record.stack_info)
        return orjson.dumps(payload, default=str).decode()


def json_handler(stream: TextIO | None = None) -> logging.Handler:
    """A stream handler writing JSON lines with registration numbers masked."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RRNMaskingFilter())
    return handler


def configure_logging(level: int | str = logging.INFO, stream: TextIO | None = None) -> None:
    """Send every logger (uvicorn's too) through one JSON handler on the root logger."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(json_handler(stream))
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
