"""Reading the console's HTML forms: urlencoded, bounded, each field once.

Parsed here rather than by starlette's `request.form()` (which needs
python-multipart and accepts multipart uploads the console never asks for):
the console's forms are short `application/x-www-form-urlencoded` bodies.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

from hub.console.errors import BadRequest, PayloadTooLarge, UnsupportedForm

#: Longest form body accepted; the console's forms are a few fields.
MAX_FORM_BYTES = 16 * 1024
MAX_FIELDS = 50
FORM_TYPE = "application/x-www-form-urlencoded"


async def read_form(request: Request, *, limit: int = MAX_FORM_BYTES) -> dict[str, str]:
    """The posted form's fields; 415, 413 or 400 pages for anything else."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise UnsupportedForm("The console accepts only its own HTML forms.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"A form may be at most {limit} bytes.")
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=bool(text),
            max_num_fields=MAX_FIELDS,
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("The form could not be read.") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise BadRequest(f"The form sent the field {name!r} twice.")
        fields[name] = value
    return fields
