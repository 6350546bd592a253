"""The privacy officers' policy editing services: an agency's TOML, checked, proposed, compared.

Plain functions over the database, for the administrative GraphQL fields
and the console alike (no GraphQL here): the active version's TOML for one
agency, an edited file checked into a whole-policy proposal with every
problem placed, proposed through `policies.versions.propose` (four eyes and
the base-version check are there), the plain-words difference of any
document from the active version, and every agency's grants.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.catalog.model import Catalog
from hub.db.session import Database
from hub.settings import Settings
from policies import versions
from policies.agency_toml import (
    AgencyNotInPolicy,
    AgencyProposal,
    ProposalInvalid,
    parse_agency,
    render_agency,
)
from policies.compiled import CompiledPolicy, compile_policy
from policies.decision import Limits
from policies.diff import describe_changes
from policies.document import AgencyPolicy, PolicyDocument
from policies.overview import AgencyOverview, UnknownAgency, agencies_overview


class NoActivePolicy(versions.VersionError):
    """No policy version is active, so there is nothing to edit or compare with."""


@dataclass(frozen=True)
class AgencyToml:
    """One agency's part of a version, as the TOML file officers edit."""

    agency: str
    version: int
    text: str


@dataclass(frozen=True)
class AgencyCheck:
    """An edited agency file checked against the active version it would replace."""

    base_version: int
    proposal: AgencyProposal
    #: The plain-words changes from the active version (empty when there are problems).
    changes: tuple[str, ...]


async def _active(db: Database) -> versions.VersionInfo:
    info = await versions.active_version(db)
    if info is None:
        raise NoActivePolicy("no policy version is active (is the baseline installed?)")
    return info


def _with_part(document: PolicyDocument, agency: str) -> PolicyDocument:
    """The document, with an empty part for an agency it grants nothing, so it can be edited."""
    if any(part.agency == agency for part in document.agencies):
        return document
    return PolicyDocument(agencies=[*document.agencies, AgencyPolicy(agency=agency, grants=[])])


async def agency_policy_toml(
    db: Database, catalog: Catalog, agency: str, *, version: int | None = None
) -> AgencyToml:
    """The agency's grants in `version` (default: the active one) as an editable TOML file.

    UnknownAgency when the catalog has no such agency; an agency the version
    grants nothing gets a file with no grants, to add them to.
    """
    if catalog.agency(agency) is None:
        raise UnknownAgency(f"no consuming agency {agency!r} in the catalog")
    info = await (_active(db) if version is None else versions.get_version(db, version))
    text = render_agency(_with_part(info.document, agency), agency, version=info.version)
    return AgencyToml(agency=agency, version=info.version, text=text)


async def check_agency_toml(
    db: Database, catalog: Catalog, agency: str, text: str, *, base_version: int | None = None
) -> AgencyCheck:
    """Read an edited agency file into a proposal on `base_version` (default: the active one).

    Nothing is stored. With no problem, `changes` says what it would change
    against the active version, in plain words.
    """
    active = await _active(db)
    base = active if base_version is None else await versions.get_version(db, base_version)
    proposal = parse_agency(text, agency, base.document, catalog)
    changes: tuple[str, ...] = ()
    if proposal.document is not None:
        changes = tuple(describe_changes(active.document, proposal.document, catalog))
    return AgencyCheck(base_version=base.version, proposal=proposal, changes=changes)


async def propose_agency_toml(
    db: Database,
    catalog: Catalog,
    agency: str,
    text: str,
    officer: str,
    reason: str,
    *,
    base_version: int,
) -> int:
    """Propose the policy with the agency's part replaced by `text`; returns the version.

    ProposalInvalid (every problem, placed) and nothing stored when the file
    has problems; otherwise `policies.versions.propose` with `base_version`
    (PolicyBaseStale when it is not the active version, VersionError for a
    missing reason, and later four-eyes approval).
    """
    base = await versions.get_version(db, base_version)
    proposal = parse_agency(text, agency, base.document, catalog)
    if proposal.document is None:
        raise ProposalInvalid(agency, proposal.problems)
    return await versions.propose(
        db, catalog, proposal.document, officer, reason, base_version=base_version
    )


@dataclass(frozen=True)
class ActiveDiff:
    """A document compared with the active version."""

    active_version: int
    changes: tuple[str, ...]


async def diff_against_active(
    db: Database, catalog: Catalog, document: PolicyDocument
) -> ActiveDiff:
    """What `document` (a proposal, stored or not) changes from the active version, in words."""
    active = await _active(db)
    return ActiveDiff(
        active_version=active.version,
        changes=tuple(describe_changes(active.document, document, catalog)),
    )


async def active_policy(db: Database, catalog: Catalog) -> CompiledPolicy:
    """The active version compiled (from the database, not a process's cached copy)."""
    active = await _active(db)
    return compile_policy(active.document, catalog, active.version)


async def agency_grants(
    db: Database, catalog: Catalog, settings: Settings, agency: str | None = None
) -> list[AgencyOverview]:
    """Every agency (or one) with each purpose's grant under the active version.

    Person limits are the gate's: the grant's within HUB_MAX_PERSONS_PER_REQUEST.
    """
    policy = await active_policy(db, catalog)
    return agencies_overview(
        catalog, policy, Limits(max_persons=settings.max_persons_per_request), agency
    )


__all__ = [
    "ActiveDiff",
    "AgencyCheck",
    "AgencyNotInPolicy",
    "AgencyToml",
    "NoActivePolicy",
    "active_policy",
    "agency_grants",
    "agency_policy_toml",
    "check_agency_toml",
    "diff_against_active",
    "propose_agency_toml",
]
