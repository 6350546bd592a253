"""Per-request state shared by resolvers: who asks, why, the plan and loaders."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiodataloader import DataLoader
from sqlalchemy import select

from connectors.base import BaseConnector, FetchResult, SourceError
from hub.audit.writer import AuditWriter
from hub.auth.tokens import Principal
from hub.catalog.model import Catalog
from hub.db.models import Pseudonym, Subject, utcnow
from hub.db.session import Database
from hub.documents.registry import TrustedDocuments
from hub.identity.pseudonyms import agency_key
from hub.identity.subjects import decrypt_rrn, person_id
from hub.keys import KeyRing
from hub.observability.metrics import HubMetrics
from hub.ratelimit import RateLimiter
from hub.settings import Settings
from policies.compiled import CompiledGrant, CompiledPolicy
from policies.consent import ConsentUsage, ConsentView, consents_of, spend_one_time
from policies.store import PolicySource
from policies.transforms import TransformContext
from schema.plan import FieldPlan, SchemaMap


@dataclass
class PersonAccess:
    """What one request did with one person's data, for the access log."""

    released: set[str] = field(default_factory=set)
    refused: dict[str, str] = field(default_factory=dict)
    consents: set[str] = field(default_factory=set)


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

    def consented(self, rrn: str, consent_id: str) -> None:
        """A consent was applied to release the person's data."""
        self.touch(rrn).consents.add(consent_id)


class UnknownPerson:
    """Marker a loader returns for a person the source does not know."""


UNKNOWN = UnknownPerson()


class SourceLoader(DataLoader[str, Any]):
    """Batches every lookup of one source within one request into one call.

    Each call asks for the request's whole plan slice for this source, so a
    person's record is fetched once however many fields read it.
    """

    def __init__(
        self,
        connector: BaseConnector,
        fields: dict[str, list[str]],
        batch: int,
        metrics: HubMetrics | None = None,
    ) -> None:
        super().__init__(max_batch_size=batch)
        self.connector = connector
        self.fields = fields
        self.metrics = metrics

    async def batch_load_fn(self, keys: list[str]) -> list[Any]:
        """Fetch the batch; a failure becomes that exception for every key.

        Every source call of the hub passes here, so this is where they are
        counted and timed (per source, and failures per error code).
        """
        started = time.perf_counter()
        try:
            result: FetchResult = await self.connector.fetch(keys, self.fields)
        except SourceError as exc:
            self._observe(started, exc.code)
            return [exc for _ in keys]
        self._observe(started, None)
        return [UNKNOWN if key in result.unknown else result.records[key] for key in keys]

    def _observe(self, started: float, error: str | None) -> None:
        if self.metrics is not None:
            elapsed = time.perf_counter() - started
            self.metrics.observe_source_call(self.connector.code, elapsed, error)


class SubjectLoader(DataLoader[str, str | None]):
    """Batches an agency's person-id lookups (federated `_entities`) into one query."""

    def __init__(self, database: Database, keys: KeyRing, agency: str) -> None:
        super().__init__()
        self.database = database
        self.keys = keys
        self.agency = agency

    async def batch_load_fn(self, ids: list[str]) -> list[str | None]:
        """Registration numbers for the agency's ids; None for ids it was never given."""
        query = (
            select(Pseudonym.pseudonym, Subject)
            .join(Subject, Subject.id == Pseudonym.subject_id)
            .where(Pseudonym.agency == self.agency, Pseudonym.pseudonym.in_(ids))
        )
        async with self.database.session() as session:
            found = {
                pseudonym: decrypt_rrn(self.keys, row.rrn_key_id, row.rrn_ciphertext, row.id)
                for pseudonym, row in (await session.execute(query)).all()
            }
        return [found.get(i) for i in ids]


class ConsentLoader(DataLoader[str, list[ConsentView]]):
    """Batches the request's consent look-ups for one agency and purpose into one query."""

    def __init__(self, database: Database, agency: str, purpose: str) -> None:
        super().__init__()
        self.database = database
        self.agency = agency
        self.purpose = purpose

    async def batch_load_fn(self, subject_ids: list[str]) -> list[list[ConsentView]]:
        """Each subject's consents to this agency and purpose."""
        found = await consents_of(self.database, subject_ids, self.agency, self.purpose)
        return [found[s] for s in subject_ids]


class Services(Protocol):
    """What the agencies' API needs of the running hub.

    The concrete container (`hub.app.services.HubServices`) belongs to the app
    layer, which builds it once; the API names only what it reads, so it
    never imports the layer that assembles it.
    """

    settings: Settings
    catalog: Catalog
    keys: KeyRing
    connectors: Mapping[str, BaseConnector]
    schema_map: SchemaMap
    database: Database
    policies: PolicySource
    audit: AuditWriter
    #: Registered documents; the agencies' endpoint reads it, officers' decisions invalidate it.
    documents: TrustedDocuments
    metrics: HubMetrics | None
    rate_limiter: RateLimiter | None


@dataclass
class HubContext:
    """Everything a resolver may know about the request it serves."""

    services: Services
    principal: Principal
    request_id: str
    purpose: str | None
    case_ref: str | None
    client_addr: str | None
    policy: CompiledPolicy = field(default_factory=lambda: CompiledPolicy(0, {}))
    grant: CompiledGrant | None = None
    query_hash: str | None = None
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
            services.metrics,
        )
        self._loaders[source] = created
        return created

    def subject_loader(self) -> SubjectLoader:
        """The request's loader from the agency's person ids to registration numbers."""
        loader = self.extra.get("subjects")
        if loader is None:
            loader = self.extra["subjects"] = SubjectLoader(
                self.services.database, self.services.keys, self.principal.agency
            )
        assert isinstance(loader, SubjectLoader)
        return loader

    def transform_context(self) -> TransformContext:
        """What minimisation transforms may know: the agency's key and today."""
        found = self.extra.get("transform")
        if found is None:
            found = self.extra["transform"] = TransformContext(
                pseudonym_key=agency_key(self.services.keys, self.principal.agency),
                today=dt.date.today(),
            )
        assert isinstance(found, TransformContext)
        return found

    async def consent_for(self, rrn: str, info_type: str) -> str | None:
        """The id of a consent that releases `info_type` of the person now, or None.

        A one-time consent is spent (atomically) the first time a request
        uses it; the rest of that request may go on using it.
        """
        loader = self.extra.get("consents")
        if loader is None:
            loader = self.extra["consents"] = ConsentLoader(
                self.services.database, self.principal.agency, self.purpose or ""
            )
        assert isinstance(loader, ConsentLoader)
        spent: dict[str, bool] = self.extra.setdefault("spent", {})
        now = utcnow()
        for consent in await loader.load(person_id(self.services.keys, rrn)):
            if consent.id in spent:
                if spent[consent.id] and info_type in consent.info_types:
                    return consent.id
                continue
            if not consent.permits(info_type, now):
                continue
            if consent.usage is ConsentUsage.ONE_TIME:
                spent[consent.id] = await spend_one_time(self.services.database, consent.id)
                if not spent[consent.id]:
                    continue
            return consent.id
        return None

    @property
    def sources_called(self) -> list[str]:
        """Sources this request has created loaders for."""
        return list(self._loaders)
