"""JSON log lines with the request id; registration numbers masked as a last resort."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from hub.db.session import Database
from hub.observability.logging import (
    RRN_MASK,
    JsonFormatter,
    RRNMaskingFilter,
    json_handler,
    mask_rrns,
    request_id_var,
)
from tests.schema.conftest import HubFactory


def _record(msg: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("bad number 8503142123456")
        except ValueError as error:
            exc_info = (type(error), error, error.__traceback__)
    return logging.LogRecord("hub.test", logging.WARNING, __file__, 1, msg, args, exc_info)


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    logger = logging.getLogger("hub.test.captured")
    handler = json_handler(stream)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


def test_formatter_emits_one_json_object_with_the_request_id() -> None:
    token = request_id_var.set("req-123")
    try:
        line = JsonFormatter().format(_record("served %d persons", 3))
    finally:
        request_id_var.reset(token)
    assert "\n" not in line
    payload = json.loads(line)
    assert payload["message"] == "served 3 persons"
    assert payload["request_id"] == "req-123"
    assert payload["level"] == "WARNING"
    assert payload["logger"] == "hub.test"
    assert payload["time"].endswith("+00:00")


def test_request_id_is_null_outside_a_request() -> None:
    assert json.loads(JsonFormatter().format(_record("idle")))["request_id"] is None


@pytest.mark.parametrize(
    "text",
    ["850314-2123456", "8503142123456", "rrn=850314-2123456;", "a 8503142123456 b"],
)
def test_mask_rrns(text: str) -> None:
    masked = mask_rrns(text)
    assert RRN_MASK in masked
    assert "2123456" not in masked


@pytest.mark.parametrize("text", ["12345", "850314-212345", "request 42 took 12.5 ms"])
def test_mask_leaves_other_numbers(text: str) -> None:
    assert mask_rrns(text) == text


def test_filter_masks_message_args_and_exception() -> None:
    record = _record("lookup of %s and %d failed", "850314-2123456", 8503142123457, exc=True)
    assert RRNMaskingFilter().filter(record)
    assert record.getMessage() == f"lookup of {RRN_MASK} and {RRN_MASK} failed"
    assert record.exc_text is not None
    assert "8503142123456" not in record.exc_text
    payload = json.loads(JsonFormatter().format(record))
    assert "2123456" not in json.dumps(payload)
    assert "ValueError" in payload["exception"]


def test_handler_masks_what_any_logger_sends(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    logger.warning("person %s not found", "850314-2123456")
    logger.info("rrn in format string 8503142123456")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message"] for line in lines] == [
        f"person {RRN_MASK} not found",
        f"rrn in format string {RRN_MASK}",
    ]


async def test_access_log_line_carries_the_request_id(
    database: Database, hub_factory: HubFactory
) -> None:
    stream = io.StringIO()
    handler = json_handler(stream)
    access = logging.getLogger("hub.access")
    access.addHandler(handler)
    previous = access.level
    access.setLevel(logging.INFO)
    try:
        hub = await hub_factory(database)
        response = await hub.client.get("/readyz")
    finally:
        access.removeHandler(handler)
        access.setLevel(previous)
    [line] = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["request_id"] == response.headers["Hub-Request-Id"]
    assert line["endpoint"] == "/readyz"
    assert line["status"] == response.status_code
