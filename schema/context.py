"""Per-request state shared by resolvers: who asks, why, the plan and loaders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy import select

from connectors.base import BaseConnector, FetchResult, SourceError
from hub.auth.tokens import Principal
from hub.catalog.model import Catalog
from hub.db.models import Subject
from hub.db.session import Database
from hub.identity.subjects import decrypt_rrn
from hub.keys import KeyRing
from hub.settings import Settings
from schema.plan import FieldPlan, SchemaMap


@dataclass
class PersonAccess:
    """What one request did with one person's data, for the access log."""

    released: set[str] = field(default_factory=set)
    refused: dict[str, str] = field(default_factory=dict)


@dataclass
class AccessRecorder:
    """Collects per-person access while a request runs; written before responding."""

    persons: dict[str, PersonAccess] = field(default_factory=dict)

    def touch(self, rrn: str) -> PersonAccess:
        """The record for this person, created on first touch."""
        return self.persons.setdefault(rrn, PersonAccess())

    def released(self, rrn: str, info_type: str) -> None:
        """The person's `info_type` goes into the response."""
        self.touch(rrn).released.add(info_type)

    def refused(self, rrn: str, info_type: str, code: str) -> None:
        """The person's `info_type` was not released, for reason `code`."""
        self.touch(rrn).refused[info_type] = code


class UnknownPerson:
    """Marker a loader returns for a person the source does not know."""


UNKNOWN = UnknownPerson()


class SourceLoader(DataLoader[str, Any]):
    """Batches every lookup of one source within one request into one call.

    Each call asks for the request's whole plan slice for this source, so a
    person's record is fetched once however many fields read it.
    """

    def __init__(self, connector: BaseConnector, fields: dict[str, list[str]], batch: int) -> None:
        super().__init__(max_batch_size=batch)
        self.connector = connector
        self.fields = fields

    async def batch_load_fn(self, keys: list[str]) -> list[Any]:
        """Fetch the batch; a failure becomes that exception for every key."""
        try:
            result: FetchResult = await self.connector.fetch(keys, self.fields)
        except SourceError as exc:
            return [exc for _ in keys]
        return [UNKNOWN if key in result.unknown else result.records[key] for key in keys]


class SubjectLoader(DataLoader[str, str | None]):
    """Batches person-id lookups (federated `_entities`) into one query."""

    def __init__(self, database: Database, keys: KeyRing) -> None:
        super().__init__()
        self.database = database
        self.keys = keys

    async def batch_load_fn(self, ids: list[str]) -> list[str | None]:
        """Registration numbers for the ids, None for ids the hub never issued."""
        async with self.database.session() as session:
            rows = (await session.execute(select(Subject).where(Subject.id.in_(ids)))).scalars()
            found = {
                row.id: decrypt_rrn(self.keys, row.rrn_key_id, row.rrn_ciphertext, row.id)
                for row in rows
            }
        return [found.get(i) for i in ids]


@dataclass
class HubServices:
    """Long-lived parts of the running hub, built once by the app factory."""

    settings: Settings
    catalog: Catalog
    keys: KeyRing
    connectors: Mapping[str, BaseConnector]
    schema_map: SchemaMap
    database: Database


@dataclass
class HubContext:
    """Everything a resolver may know about the request it serves."""

    services: HubServices
    principal: Principal
    request_id: str
    purpose: str | None
    case_ref: str | None
    client_addr: str | None
    plan: FieldPlan = field(default_factory=FieldPlan)
    access: AccessRecorder = field(default_factory=AccessRecorder)
    _loaders: dict[str, SourceLoader] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def loader(self, source: str) -> SourceLoader:
        """The request's loader for `source`, created on first use."""
        existing = self._loaders.get(source)
        if existing is not None:
            return existing
        services = self.services
        created = SourceLoader(
            services.connectors[source],
            self.plan.for_source(services.catalog, source),
            services.settings.source_batch_size,
        )
        self._loaders[source] = created
        return created

    def subject_loader(self) -> SubjectLoader:
        """The request's loader from person ids to registration numbers."""
        loader = self.extra.get("subjects")
        if loader is None:
            loader = self.extra["subjects"] = SubjectLoader(
                self.services.database, self.services.keys
            )
        assert isinstance(loader, SubjectLoader)
        return loader

    @property
    def sources_called(self) -> list[str]:
        """Sources this request has created loaders for."""
        return list(self._loaders)
