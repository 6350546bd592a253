"""The Person entity, its household, and the resolvers that fetch on demand.

Every information-type field of Person resolves through the request's loader
for its source, so a query calls exactly the sources of the types it names,
once per source however many persons it covers.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import strawberry
from strawberry.types.private import StrawberryPrivate

from connectors.base import SourceError, SourceInvalidData, slowest_first
from hub.catalog.model import Catalog, InfoType
from hub.identity.pseudonyms import agency_key, agency_person_id
from hub.identity.subjects import MalformedPersonId, check_person_id
from policies.consent import ConsentView
from policies.freshness import is_stale
from schema.context import UNKNOWN, HubContext
from schema.errors import (
    ConsentRequiredError,
    InvalidPersonIdError,
    PersonNotFoundError,
    SourceFailureError,
    SourceStaleError,
)
from schema.info_types import RecordDecoder, build_object_type, pascal, record_as_of
from schema.plan import SchemaMap
from schema.selection import selected_names

HOUSEHOLD_TYPE = "householdComposition"
REGISTRY_TYPE = "residentRegistration"
# The person's position in a `persons` list (None elsewhere), for error details.
_PrivateIndex = Annotated[int | None, StrawberryPrivate()]

HOUSEHOLD_FIELD = "members"
HOUSEHOLD_ID_FIELD = "householdId"
HOUSEHOLD_COMPANIONS = (HOUSEHOLD_ID_FIELD,)


def _source_failure(ctx: HubContext, rrn: str, info_type: str, exc: SourceError) -> Exception:
    ctx.access.refused(rrn, info_type, exc.code)
    return SourceFailureError(
        exc.code, exc.source, f"{info_type} is unavailable: source {exc.source} {exc.reason}"
    )


async def load_type(ctx: HubContext, rrn: str, info_type: InfoType) -> Any:
    """The person's raw record(s) of one type, or a GraphQL error to report."""
    try:
        loader = await ctx.loader_for(info_type.source, rrn)
        data = await loader.load(rrn)
    except SourceError as exc:
        raise _source_failure(ctx, rrn, info_type.name, exc) from None
    if data is UNKNOWN:
        ctx.access.refused(rrn, info_type.name, PersonNotFoundError.code)
        raise PersonNotFoundError(f"source {info_type.source} does not know this person")
    raw = data[info_type.name]
    _check_fresh(ctx, rrn, info_type, raw)
    return raw


def _check_fresh(ctx: HubContext, rrn: str, info_type: InfoType, raw: Any) -> None:
    """Refuse a record older than the grant allows, by the as-of its source states."""
    try:
        as_of = record_as_of(info_type, raw)
    except SourceInvalidData as exc:
        raise _source_failure(ctx, rrn, info_type.name, exc) from None
    # The grant the decision allowed the operation under (fails closed without one).
    grant = ctx.decided.grant
    if as_of is None or grant is None:
        return
    limit = grant.max_age_days
    # The request's one date, the same that minimisation transforms use.
    if is_stale(as_of, limit, ctx.transform_context().today):
        ctx.access.refused(rrn, info_type.name, SourceStaleError.code)
        raise SourceStaleError(
            f"{info_type.name} is too old for this purpose: source {info_type.source} "
            f"states it as of {as_of.isoformat()}, the limit is {limit} days",
            source=info_type.source,
            infoType=info_type.name,
            asOf=as_of.isoformat(),
            maxAgeDays=limit,
        )


async def _consent(ctx: HubContext, root: Any, info_type: InfoType) -> ConsentView | None:
    """The consent the type is released under, or None when the statute suffices.

    Whether consent is needed is the decision's (fails closed without one).
    """
    if not ctx.decided.needs_consent(info_type.name):
        return None
    consent = await ctx.consent_for(root.rrn, info_type.name)
    if consent is None:
        ctx.access.refused(root.rrn, info_type.name, ConsentRequiredError.code)
        where = {} if root.index is None else {"personIndex": root.index}
        raise ConsentRequiredError(
            f"{info_type.name} needs the person's consent to {ctx.principal.agency} "
            f"for {ctx.purpose}, and there is no valid one",
            **where,
        )
    return consent


def _type_resolver(info_type: InfoType, decoder: RecordDecoder) -> Callable[..., Any]:
    async def resolve(root: Any, info: strawberry.Info) -> Any:
        ctx: HubContext = info.context
        # Consent first: a person who has not consented is not asked about.
        consent = await _consent(ctx, root, info_type)
        raw = await load_type(ctx, root.rrn, info_type)
        names = sorted(ctx.plan.fields.get(info_type.name, ()))
        try:
            value = decoder.decode(raw, names, ctx.transform_context())
        except SourceInvalidData as exc:
            raise _source_failure(ctx, root.rrn, info_type.name, exc) from None
        ctx.access.released(root.rrn, info_type.name)
        if consent is not None:
            ctx.access.consented(root.rrn, consent)
        return value

    resolve.__name__ = f"resolve_{info_type.name}"
    return resolve


def household_id(ctx: HubContext, source_id: str) -> str:
    """The household's id for the calling agency; the registry's own number never leaves.

    Keyed like `Person.id` with the agency's pseudonym key, so two agencies'
    ids for one household cannot be joined without the hub's key.
    """
    key = agency_key(ctx.services.keys, ctx.principal.agency)
    digest = hmac.new(key, b"household:" + source_id.encode(), hashlib.sha256).digest()
    return "H" + base64.b32encode(digest[:20]).decode()


class PersonTypes:
    """The entity and navigation types built from one catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.object_types: dict[str, type] = {}
        self.decoders: dict[str, RecordDecoder] = {}
        for info_type in catalog.info_types:
            obj = build_object_type(info_type)
            self.object_types[info_type.name] = obj
            self.decoders[info_type.name] = RecordDecoder(info_type, obj)
        self.person = self._build_person()
        self.schema_map = SchemaMap(
            object_to_type={pascal(t.name): t.name for t in catalog.info_types},
            person_field_to_type={t.name: t.name for t in catalog.info_types},
            household_type=HOUSEHOLD_TYPE,
            household_field=HOUSEHOLD_FIELD,
            household_companions=HOUSEHOLD_COMPANIONS,
            household_id_field=HOUSEHOLD_ID_FIELD,
        )
        self.registry_source = catalog.info_type(REGISTRY_TYPE).source

    def _build_person(self) -> type:
        catalog = self.catalog
        namespace: dict[str, Any] = {
            "__annotations__": {
                "rrn": strawberry.Private[str],
                "index": _PrivateIndex,
            },
            "__doc__": "A person known to the source institutions.",
        }

        def resolve_id(root: Any, info: strawberry.Info) -> strawberry.ID:
            ctx: HubContext = info.context
            return strawberry.ID(
                agency_person_id(ctx.services.keys, ctx.principal.agency, root.rrn)
            )

        namespace["id"] = strawberry.field(
            resolver=resolve_id,
            description="The person's id for your agency: opaque, stable, and "
            "different for every agency (never the registration number).",
        )
        for info_type in catalog.info_types:
            obj = self.object_types[info_type.name]
            gql_type: Any = list[obj] | None if info_type.many else obj | None  # type: ignore[valid-type]
            namespace[info_type.name] = strawberry.field(
                resolver=_type_resolver(info_type, self.decoders[info_type.name]),
                graphql_type=gql_type,
                description=f"{info_type.title} (source {info_type.source}).",
            )

        async def resolve_reference(cls: type, info: strawberry.Info, id: str) -> Any:
            ctx: HubContext = info.context
            try:
                check_person_id(id)
            except MalformedPersonId as exc:
                raise InvalidPersonIdError(str(exc)) from None
            rrn = await ctx.subject_loader().load(id)
            if rrn is None:
                raise PersonNotFoundError("no person with this id")
            ctx.access.touch(rrn)
            return cls(rrn=rrn, index=None)

        namespace["resolve_reference"] = classmethod(resolve_reference)
        person = type("Person", (), namespace)

        member = strawberry.type(
            type(
                "HouseholdMember",
                (),
                {"__annotations__": {"relationship": str, "person": person}},
            ),
            description="A member of a household and their relationship to its head.",
        )
        household = strawberry.type(
            type(
                "Household",
                (),
                {"__annotations__": {"id": strawberry.ID, "members": list[member]}},  # type: ignore[valid-type]
            ),
            description="The persons registered at one address as one household.",
        )
        household_type = catalog.info_type(HOUSEHOLD_TYPE)

        async def resolve_household(root: Any, info: strawberry.Info) -> Any:
            ctx: HubContext = info.context
            raw = await load_type(ctx, root.rrn, household_type)
            if raw is None:
                return None
            try:
                members = [
                    member(relationship=m["relationship"], person=person(rrn=m["rrn"], index=None))
                    for m in raw["members"]
                ]
                source_id = raw["householdId"]
                if not isinstance(source_id, str):
                    raise TypeError
            except (KeyError, TypeError):
                exc = SourceInvalidData(household_type.source, "malformed household members")
                raise _source_failure(ctx, root.rrn, household_type.name, exc) from None
            # Naming the members and their relationships discloses household
            # data about each of them, so each of them gets an entry too.
            for m in raw["members"]:
                ctx.access.released(m["rrn"], household_type.name)
            ctx.access.released(root.rrn, household_type.name)
            return household(id=strawberry.ID(household_id(ctx, source_id)), members=members)

        setattr(  # noqa: B010 - the field is added after the class exists, for the cycle
            person,
            "household",
            strawberry.field(
                resolver=resolve_household,
                graphql_type=household | None,
                description="The person's household and its members.",
            ),
        )
        return strawberry.federation.type(keys=["id"])(person)

    async def known_person(self, info: strawberry.Info, rrn: str, index: int | None = None) -> Any:
        """A Person for `rrn`, after the sources the selection needs confirm the person.

        The sources are the ones the query will call anyway (or the resident
        registry when it names none), so the check costs no extra calls.
        """
        ctx: HubContext = info.context
        selected = selected_names(info)
        # Types released only with consent are left out: the existence check
        # must not fetch data of a person who may not have consented.
        needs_consent = ctx.decided.consent_types
        sources = {
            self.catalog.info_type(name).source
            for name in selected
            if name in self.schema_map.person_field_to_type and name not in needs_consent
        }
        if "household" in selected or not sources:
            sources.add(self.registry_source)
        order = slowest_first(ctx.services.connectors, sources)
        loaders = [await ctx.loader_for(s, rrn) for s in order]
        results = await asyncio.gather(*(lo.load(rrn) for lo in loaders), return_exceptions=True)
        if any(r is UNKNOWN for r in results):
            raise PersonNotFoundError("no person with this registration number")
        failures = [r for r in results if isinstance(r, SourceError)]
        if len(failures) == len(results):
            # No source could vouch for the person: say so rather than hand
            # out an id for someone who may not exist. The request asked
            # about them all the same, so the access log says what failed.
            first = failures[0]
            for name in ctx.plan.fields or {"*": set()}:
                ctx.access.refused(rrn, name, first.code)
            raise SourceFailureError(
                first.code, first.source, f"source {first.source} {first.reason}"
            )
        ctx.access.touch(rrn)
        return self.person(rrn=rrn, index=index)

    def known_persons(
        self, info: strawberry.Info, rrns: list[str]
    ) -> list[Coroutine[Any, Any, Any]]:
        """One awaitable per person, so one unknown person nulls only its own entry."""
        return [self.known_person(info, rrn, i) for i, rrn in enumerate(rrns)]
