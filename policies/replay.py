"""Replaying recorded requests under a proposed policy: what would change for an agency.

"Would have refused 312 of LOCAL_WELFARE's 4,120 requests last week; these
fields would be newly released." Each recorded request (what it selected,
how many persons it named) is decided twice by `policies.decision.decide`,
the gate's own decision, under the active policy and under the proposal;
nothing here checks anything itself. What the grants release differently is
read from the two compiled grants, and counted against the requests that
touched each field.

Pure: the requests come in as typed values (`hub.admin.replay` reads them
from `request_plans`), the limits as a function of each request.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from hub.catalog.model import Catalog
from policies.compiled import CompiledGrant, CompiledPolicy
from policies.decision import AccessRequest, Decision, Limits, decide
from policies.document import FULL


@dataclass(frozen=True)
class RecordedRequest:
    """One agency request as it was recorded: its id, when, and what it asked for."""

    request_id: str
    occurred_at: dt.datetime
    request: AccessRequest


@dataclass(frozen=True, slots=True)
class FieldChange:
    """A source field of a type released differently under the proposal.

    `before` and `after` are how it is released: `full`, the name of the
    minimised form (`birthYear`), or None when not at all. `requests` counts
    the requests considered that selected the field in any form.
    """

    info_type: str
    field: str
    before: str | None
    after: str | None
    requests: int

    @property
    def kind(self) -> str:
        """`released` (newly), `withheld` (newly) or `form` (another form)."""
        if self.before is None:
            return "released"
        return "withheld" if self.after is None else "form"

    def __str__(self) -> str:
        where = f"{self.info_type}.{self.field}"
        if self.before is None:
            return f"{where}: newly released ({self.after})"
        if self.after is None:
            return f"{where}: withheld (was {self.before})"
        return f"{where}: {self.before} → {self.after}"


@dataclass(frozen=True)
class Outcomes:
    """Counts of the requests considered, decided now and under the proposal."""

    considered: int = 0
    refused_now: int = 0
    refused_proposed: int = 0
    newly_refused: int = 0
    newly_allowed: int = 0


@dataclass(frozen=True)
class PurposeReplay:
    """One purpose's requests and field changes."""

    purpose: str
    outcomes: Outcomes
    field_changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ReplayReport:
    """What the proposal would have changed for the agency's requests considered."""

    agency: str
    active_version: int
    outcomes: Outcomes
    #: Why the newly refused requests would be refused: refusal code -> requests.
    newly_refused_by_code: Mapping[str, int]
    #: The ids of the first newly refused and newly allowed requests (at most `examples`).
    newly_refused_requests: tuple[str, ...]
    newly_allowed_requests: tuple[str, ...]
    #: Every purpose's field changes together, with the requests summed.
    field_changes: tuple[FieldChange, ...]
    purposes: tuple[PurposeReplay, ...]
    #: Whether there were more requests than the cap: only the newest were considered.
    capped: bool = False
    cap: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass
class _Tally:
    considered: int = 0
    refused_now: int = 0
    refused_proposed: int = 0
    newly_refused: int = 0
    newly_allowed: int = 0
    touched: Counter[tuple[str, str]] = field(default_factory=Counter)

    def outcomes(self) -> Outcomes:
        return Outcomes(
            self.considered,
            self.refused_now,
            self.refused_proposed,
            self.newly_refused,
            self.newly_allowed,
        )


def _source_field(catalog: Catalog, info_type: str, schema_field: str) -> str:
    """The field a schema field reads: itself, or the one a minimised form derives from."""
    if catalog.has_info_type(info_type):
        pair = catalog.info_type(info_type).forms.get(schema_field)
        if pair is not None:
            return pair[0].name
    return schema_field


def _rules(grant: CompiledGrant | None) -> dict[tuple[str, str], str]:
    """(type, source field) -> how the grant releases it: `full` or the form's name."""
    if grant is None:
        return {}
    return {
        (info_type, r.source_field): FULL if r.schema_field == r.source_field else r.schema_field
        for info_type, releases in grant.releases.items()
        for r in releases.values()
    }


def _changes(
    active: CompiledGrant | None, proposed: CompiledGrant | None, touched: Counter[tuple[str, str]]
) -> list[FieldChange]:
    before, after = _rules(active), _rules(proposed)
    return [
        FieldChange(key[0], key[1], before.get(key), after.get(key), touched[key])
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    ]


def replay(
    catalog: Catalog,
    active: CompiledPolicy,
    proposed: CompiledPolicy,
    agency: str,
    requests: Iterable[RecordedRequest],
    limits: Callable[[AccessRequest], Limits],
    *,
    examples: int = 50,
) -> ReplayReport:
    """Decide each of `agency`'s `requests` under both policies and report the differences.

    `limits` gives the hub's limits for a request, as the gate computes them
    (they do not depend on the policy). Every purpose the agency has a
    grant for under either policy is reported, requests or not, so a field
    change shows even where no request would have met it.
    """
    tallies: dict[str, _Tally] = {}
    by_code: Counter[str] = Counter()
    newly_refused: list[str] = []
    newly_allowed: list[str] = []
    for recorded in requests:
        request = recorded.request
        if request.agency != agency:
            continue
        bounds = limits(request)
        now: Decision = decide(catalog, active, request, bounds)
        then: Decision = decide(catalog, proposed, request, bounds)
        tally = tallies.setdefault(request.purpose, _Tally())
        tally.considered += 1
        tally.refused_now += not now.allowed
        tally.refused_proposed += not then.allowed
        if now.allowed and then.refusal is not None:
            tally.newly_refused += 1
            by_code[str(then.refusal.code)] += 1
            if len(newly_refused) < examples:
                newly_refused.append(recorded.request_id)
        elif then.allowed and not now.allowed:
            tally.newly_allowed += 1
            if len(newly_allowed) < examples:
                newly_allowed.append(recorded.request_id)
        tally.touched.update(
            {
                (info_type, _source_field(catalog, info_type, name))
                for info_type, names in request.selected.items()
                for name in names
            }
        )
    purposes = sorted(
        set(tallies)
        | {g.purpose for g in active.grants_of(agency)}
        | {g.purpose for g in proposed.grants_of(agency)}
    )
    per_purpose: list[PurposeReplay] = []
    summed: Counter[tuple[str, str, str | None, str | None]] = Counter()
    for purpose in purposes:
        tally = tallies.get(purpose, _Tally())
        changes = _changes(
            active.grant(agency, purpose), proposed.grant(agency, purpose), tally.touched
        )
        for change in changes:
            summed[(change.info_type, change.field, change.before, change.after)] += change.requests
        per_purpose.append(PurposeReplay(purpose, tally.outcomes(), tuple(changes)))
    total = _Tally()
    for tally in tallies.values():
        total.considered += tally.considered
        total.refused_now += tally.refused_now
        total.refused_proposed += tally.refused_proposed
        total.newly_refused += tally.newly_refused
        total.newly_allowed += tally.newly_allowed
    return ReplayReport(
        agency=agency,
        active_version=active.version,
        outcomes=total.outcomes(),
        newly_refused_by_code=dict(sorted(by_code.items())),
        newly_refused_requests=tuple(newly_refused),
        newly_allowed_requests=tuple(newly_allowed),
        field_changes=tuple(
            FieldChange(t, f, b, a, n)
            for (t, f, b, a), n in sorted(
                summed.items(), key=lambda item: (item[0][0], item[0][1], str(item[0][2:]))
            )
        ),
        purposes=tuple(per_purpose),
    )


__all__ = [
    "FieldChange",
    "Outcomes",
    "PurposeReplay",
    "RecordedRequest",
    "ReplayReport",
    "replay",
]
