"""Per-request state shared by resolvers: who asks, why, the plan and loaders."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiodataloader import DataLoader
from sqlalchemy import select

from connectors.base import BaseConnector, FetchResult, SourceError
from hub.audit.writer import AuditWriter
from hub.auth.revocation import ClientRevocations
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
from policies.compiled import CompiledPolicy
from policies.consent import ConsentUsage, ConsentView, consents_of
from policies.decision import Decision
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
    #: `_entities` ids a refused request named, with the refusal's code; the
    #: view resolves the ids the agency was given to their persons and logs them.
    refused_ids: dict[str, str] = field(default_factory=dict)
    #: One-time consents applied to released data: spent with the entries' commit.
    one_time_consents: set[str] = field(default_factory=set)

    def touch(self, rrn: str) -> PersonAccess:
        """The record for this person, created on first touch."""
        return self.persons.setdefault(rrn, PersonAccess())

    def released(self, rrn: str, info_type: str) -> None:
        """The person's `info_type` goes into the response."""
        self.touch(rrn).released.add(info_type)

    def refused(self, rrn: str, info_type: str, code: str) -> None:
        """The person's `info_type` was not released, for reason `code`."""
        self.touch(rrn).refused[info_type] = code

    def consented(self, rrn: str, consent: ConsentView) -> None:
        """A consent was applied to release the person's data."""
        self.touch(rrn).consents.add(consent.id)
        if consent.usage is ConsentUsage.ONE_TIME:
            self.one_time_consents.add(consent.id)

    def refused_all(
        self,
        rrns: Sequence[str],
        ids: Sequence[str],
        selected: Mapping[str, object],
        code: str,
    ) -> None:
        """A refused operation: every type it asked for, for every person it named."""
        types = list(selected) or ["*"]
        for rrn in rrns:
            for type_name in types:
                self.refused(rrn, type_name, code)
        for agency_id in ids:
            self.refused_ids[agency_id] = code


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
    #: Clients switched off: their earlier tokens are refused (hub.auth.revocation).
    revocations: ClientRevocations | None


class NotDecided(Exception):
    """A resolver asked for the decision of an operation the gate did not decide.

    It cannot happen through the gate; if it ever does, nothing is released.
    """


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
    #: The gate's decision (policies.decision.decide); None until it is made.
    decision: Decision | None = None
    query_hash: str | None = None
    plan: FieldPlan = field(default_factory=FieldPlan)
    #: Every person the operation names (the gate's count); None until the gate counts.
    persons_named: int | None = None
    access: AccessRecorder = field(default_factory=AccessRecorder)
    _loaders: dict[tuple[str, frozenset[str]], SourceLoader] = field(default_factory=dict)
    _subjects: SubjectLoader | None = None
    _consents: ConsentLoader | None = None
    _transform: TransformContext | None = None

    @property
    def decided(self) -> Decision:
        """The operation's decision; fails closed when there is none."""
        if self.decision is None or not self.decision.allowed:
            raise NotDecided("no access decision allows this operation")
        return self.decision

    async def loader_for(self, source: str, rrn: str) -> SourceLoader:
        """The loader that asks `source` about this person.

        A consent-gated type the person has no valid consent for is left out
        of what the source is asked: it is never fetched for that person,
        even when a statutory type shares its source.
        """
        services = self.services
        decision = self.decided
        wanted = self.plan.for_source(services.catalog, source)
        withheld = frozenset(
            [
                name
                for name in wanted
                if decision.needs_consent(name) and await self.consent_for(rrn, name) is None
            ]
        )
        key = (source, withheld)
        existing = self._loaders.get(key)
        if existing is not None:
            return existing
        fields = (
            {name: names for name, names in wanted.items() if name not in withheld}
            if withheld
            else wanted
        )
        created = SourceLoader(
            services.connectors[source],
            fields,
            services.settings.source_batch_size,
            services.metrics,
        )
        self._loaders[key] = created
        return created

    def subject_loader(self) -> SubjectLoader:
        """The request's loader from the agency's person ids to registration numbers."""
        if self._subjects is None:
            self._subjects = SubjectLoader(
                self.services.database, self.services.keys, self.principal.agency
            )
        return self._subjects

    def transform_context(self) -> TransformContext:
        """What minimisation transforms may know: the agency's key and today."""
        if self._transform is None:
            self._transform = TransformContext(
                pseudonym_key=agency_key(self.services.keys, self.principal.agency),
                today=dt.date.today(),
            )
        return self._transform

    async def consent_for(self, rrn: str, info_type: str) -> ConsentView | None:
        """A consent that releases `info_type` of the person now, or None.

        Nothing is spent here: a one-time consent is spent in the same
        transaction as the access-log entry of the release it covers (see
        `AccessRecorder.consented`), so a timeout, a source fault or an
        unwritable log leaves it unspent.
        """
        if self._consents is None:
            self._consents = ConsentLoader(
                self.services.database, self.principal.agency, self.purpose or ""
            )
        now = utcnow()
        for consent in await self._consents.load(person_id(self.services.keys, rrn)):
            if consent.permits(info_type, now):
                return consent
        return None

    @property
    def sources_called(self) -> list[str]:
        """Sources this request has created loaders for."""
        return list(dict.fromkeys(source for source, _ in self._loaders))
