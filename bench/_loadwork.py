"""What the load test asks: ten information types, their sources' latencies, the persons.

The agency and purpose are the baseline policy's richest grant
(LOCAL_WELFARE, basic_livelihood_eligibility), installed by `ssis-hub serve`
as it migrates. From it the workload takes single-record types served over
HTTP that need no consent, one per source first (catalog order), so that the
ten types span as many sources as possible. Those sources get fixed
latencies spread evenly over 20-80 ms in catalog order: the last one is the
slowest, at 80 ms, and the workload selects at least one of its types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from hub.catalog.model import Catalog, InfoType, Kind, Transport
from policies.compiled import CompiledGrant, compile_policy
from policies.document import read_baseline

AGENCY = "LOCAL_WELFARE"
PURPOSE = "basic_livelihood_eligibility"
OFFICIAL = "bench.load.01"
CASE_REF = "BENCH-LOAD-0001"
FASTEST_MS, SLOWEST_MS = 20, 80


@dataclass(frozen=True)
class LoadWorkload:
    """The query, the types it selects, and the latency of each source involved."""

    info_types: tuple[InfoType, ...]
    fields: dict[str, tuple[str, ...]]  # type -> schema fields selected
    source_fields: dict[str, tuple[str, ...]]  # type -> fields the hub asks its source for
    latencies_ms: dict[str, int]  # source code -> fixed latency, catalog order
    query: str

    @property
    def sources(self) -> tuple[str, ...]:
        """The sources the workload calls, in catalog order."""
        return tuple(self.latencies_ms)

    @property
    def slowest(self) -> str:
        """The source with the highest latency (the last one)."""
        return max(self.latencies_ms, key=lambda code: (self.latencies_ms[code], code))

    def graphql_body(self, rrn: str) -> bytes:
        """The hub request about one person."""
        return orjson.dumps({"query": self.query, "variables": {"rrn": rrn}})

    def lookup_body(self, rrn: str) -> bytes:
        """What the hub asks the slowest source about one person (docs/sources.md)."""
        types = {
            t.name: list(self.source_fields[t.name])
            for t in self.info_types
            if t.source == self.slowest
        }
        return orjson.dumps({"subjects": [rrn], "types": types})


def baseline_grant(catalog: Catalog) -> CompiledGrant:
    """The baseline policy's grant to the workload's agency and purpose."""
    grant = compile_policy(read_baseline(), catalog, 1).grant(AGENCY, PURPOSE)
    if grant is None:
        raise ValueError(f"the baseline policy grants {AGENCY} nothing for {PURPOSE}")
    return grant


def _eligible(catalog: Catalog, grant: CompiledGrant) -> list[InfoType]:
    http = {s.code for s in catalog.sources if s.transport is Transport.HTTP}
    return [
        t
        for t in catalog.info_types
        if t.name in grant.releases
        and not t.many
        and t.source in http
        and t.name not in grant.consent_types
    ]


def choose_types(catalog: Catalog, grant: CompiledGrant, count: int) -> tuple[InfoType, ...]:
    """`count` eligible types: one per source first (catalog order), then the rest."""
    eligible = _eligible(catalog, grant)
    if len(eligible) < count:
        raise ValueError(f"the grant has only {len(eligible)} eligible types, {count} wanted")
    first: dict[str, InfoType] = {}
    for info_type in eligible:
        first.setdefault(info_type.source, info_type)
    chosen = list(first.values())[:count]
    chosen += [t for t in eligible if t not in chosen][: count - len(chosen)]
    return tuple(sorted(chosen, key=eligible.index))


def spread_latencies(sources: Sequence[str]) -> dict[str, int]:
    """Latencies from 20 to 80 ms, evenly spread over `sources` in their order."""
    if len(sources) < 2:
        return dict.fromkeys(sources, SLOWEST_MS)
    step = (SLOWEST_MS - FASTEST_MS) / (len(sources) - 1)
    return {code: round(FASTEST_MS + i * step) for i, code in enumerate(sources)}


def build_query(info_types: Sequence[InfoType], fields: dict[str, tuple[str, ...]]) -> str:
    """One `person(rrn:)` query selecting the granted fields of each type."""
    lines = ["query LoadTest($rrn: String!) {", "  person(rrn: $rrn) {", "    id"]
    lines += [f"    {t.name} {{ {' '.join(fields[t.name])} }}" for t in info_types]
    lines += ["  }", "}"]
    return "\n".join(lines)


def build_load_workload(catalog: Catalog, count: int = 10) -> LoadWorkload:
    """The load test's workload over `count` information types."""
    grant = baseline_grant(catalog)
    info_types = choose_types(catalog, grant, count)
    members = {(t.name, f.name) for t in info_types for f in t.fields if f.kind is Kind.MEMBERS}
    fields: dict[str, tuple[str, ...]] = {}
    source_fields: dict[str, tuple[str, ...]] = {}
    for info_type in info_types:
        releases = [
            r
            for r in grant.releases[info_type.name].values()
            if (info_type.name, r.schema_field) not in members
        ]
        fields[info_type.name] = tuple(r.schema_field for r in releases)
        source_fields[info_type.name] = tuple(dict.fromkeys(r.source_field for r in releases))
    used = {t.source for t in info_types}
    sources = [s.code for s in catalog.sources if s.code in used]
    return LoadWorkload(
        info_types=info_types,
        fields=fields,
        source_fields=source_fields,
        latencies_ms=spread_latencies(sources),
        query=build_query(info_types, fields),
    )
