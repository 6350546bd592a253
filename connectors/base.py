"""The one interface every source connector implements, and what it returns."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hub.catalog.model import Catalog, Source
from hub.settings import Settings

#: What the hub asks of a source in one call: info type name -> field names.
FieldRequest = Mapping[str, Sequence[str]]


class SourceError(Exception):
    """A source could not answer; carries the GraphQL error code to report."""

    code = "SOURCE_ERROR"

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"source {source}: {reason}")
        self.source = source
        self.reason = reason


class SourceUnavailable(SourceError):
    """The source timed out, refused the connection or answered with an error."""

    code = "SOURCE_UNAVAILABLE"


class SourceInvalidData(SourceError):
    """The source answered, but not in the agreed shape; nothing of it is used."""

    code = "SOURCE_INVALID_DATA"


@dataclass(slots=True)
class FetchResult:
    """A source's answer for a batch of persons.

    `records[rrn][info_type]` is the raw record (dict), list of records, or
    None; `unknown` holds the persons the source has never heard of.
    """

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)


class BaseConnector(abc.ABC):
    """Fetches information types of one source for many persons at once.

    A connector fetches exactly the types and fields it is asked for; the hub
    has already decided what may be asked. It raises SourceError subclasses,
    never transport-specific exceptions, so one source failing is reported
    the same way whatever the transport.
    """

    def __init__(self, source: Source, catalog: Catalog, settings: Settings) -> None:
        self.source = source
        self.catalog = catalog
        self.settings = settings

    @property
    def code(self) -> str:
        """The source's code, e.g. `NTS`."""
        return self.source.code

    @abc.abstractmethod
    async def fetch(self, subjects: Sequence[str], fields: FieldRequest) -> FetchResult:
        """Fetch `fields` of each person in `subjects` (registration numbers)."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most connectors hold nothing
        """Release pooled connections; called when the app shuts down."""

    def check_result(self, subjects: Sequence[str], fields: FieldRequest, raw: Any) -> FetchResult:
        """Validate a decoded answer against the request, in the protocol's shape.

        Every asked-for person must be either in `records` or in `unknown`,
        and every record must carry each requested type with the right
        cardinality; anything else is SourceInvalidData.
        """
        if not isinstance(raw, dict):
            raise SourceInvalidData(self.code, "answer is not a JSON object")
        records, unknown = raw.get("records"), raw.get("unknown", [])
        if not isinstance(records, dict) or not isinstance(unknown, list):
            raise SourceInvalidData(self.code, "answer lacks `records` or `unknown`")
        result = FetchResult(unknown={u for u in unknown if isinstance(u, str)})
        for rrn in subjects:
            if rrn in result.unknown:
                continue
            person = records.get(rrn)
            if not isinstance(person, dict):
                raise SourceInvalidData(self.code, "a requested person is missing from the answer")
            for type_name in fields:
                if type_name not in person:
                    raise SourceInvalidData(self.code, f"answer lacks type {type_name}")
                value = person[type_name]
                many = self.catalog.info_type(type_name).many
                if many and not isinstance(value, list):
                    raise SourceInvalidData(self.code, f"{type_name} must be a list")
                if not many and value is not None and not isinstance(value, dict):
                    raise SourceInvalidData(self.code, f"{type_name} must be an object or null")
            result.records[rrn] = person
        return result
