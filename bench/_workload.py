"""What the request-overhead benchmark asks: the info types, the query, the person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hub.catalog.model import Catalog, InfoType
from hub.settings import RateLimits
from simulator.population import Population

#: The SQL source is left out: the benchmark serves every source from memory,
#: and SSIS is the one source whose real transport differs (a database).
EXCLUDED_SOURCE = "SSIS"
MIN_FIELDS = 50
#: How many persons to sample when ranking types and looking for a fully documented person.
CANDIDATES = 200


@dataclass(frozen=True)
class Workload:
    """The query both variants answer, and the person it is about."""

    info_types: tuple[InfoType, ...]
    query: str
    rrn: str

    @property
    def field_count(self) -> int:
        """How many leaf fields the query selects."""
        return sum(len(t.exposed_fields) for t in self.info_types)

    @property
    def variables(self) -> dict[str, str]:
        """The query's variables."""
        return {"rrn": self.rrn}


# Limits high enough never to refuse a benchmark request, yet counted, so
# the rate limiter's cost stays in the measured request path.
BENCH_RATE_LIMITS = RateLimits(
    agency_per_minute=10**9, official_per_minute=10**9, agency_per_day=10**9
)


def choose_info_types(
    catalog: Catalog, population: Population, min_fields: int = MIN_FIELDS
) -> tuple[InfoType, ...]:
    """Eligible types, most common first, until `min_fields` fields are covered.

    Eligible: single-record types not from SSIS. List types are left out so
    that one person means one record per type and the field count is the
    number of values the query returns. Most common first (catalog order
    breaking ties), because in catalog order the first fifty fields include
    death, guardianship and foreign-resident records that almost nobody has,
    and a missing record is a null whose fields are never decoded: the
    response would be far smaller than the query text suggests.
    """
    eligible = [t for t in catalog.info_types if not t.many and t.source != EXCLUDED_SOURCE]
    sample = population.sample_rrns(CANDIDATES)
    presence = {t.name: sum(population.record(r, t) is not None for r in sample) for t in eligible}
    chosen: list[InfoType] = []
    total = 0
    # sorted() is stable, so equally common types keep their catalog order.
    for info_type in sorted(eligible, key=lambda t: -presence[t.name]):
        chosen.append(info_type)
        total += len(info_type.exposed_fields)
        if total >= min_fields:
            return tuple(chosen)
    raise ValueError(f"the catalog has fewer than {min_fields} eligible fields")


def build_query(info_types: Sequence[InfoType]) -> str:
    """One `person(rrn:)` query selecting every exposed field of each type."""
    lines = ["query RequestOverhead($rrn: String!) {", "  person(rrn: $rrn) {"]
    for info_type in info_types:
        names = " ".join(f.name for f in info_type.exposed_fields)
        lines.append(f"    {info_type.name} {{ {names} }}")
    lines += ["  }", "}"]
    return "\n".join(lines)


def choose_person(population: Population, info_types: Sequence[InfoType]) -> str:
    """A person with as many of the types' records as possible (first of the best)."""
    best_rrn, best_present = "", -1
    for rrn in population.sample_rrns(CANDIDATES):
        present = sum(population.record(rrn, t) is not None for t in info_types)
        if present > best_present:
            best_rrn, best_present = rrn, present
    return best_rrn


def build_workload(catalog: Catalog, population: Population) -> Workload:
    """The benchmark's query over `catalog`, about a well-documented person of `population`."""
    info_types = choose_info_types(catalog, population)
    return Workload(
        info_types=info_types,
        query=build_query(info_types),
        rrn=choose_person(population, info_types),
    )
