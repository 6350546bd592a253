"""Who, on the administrative endpoint, a log entry names as its `agency`.

Entries of the agencies' endpoint name the consuming agency. Reads on the
administrative endpoint are made by the hub's own offices, one per role:
the privacy office, the consent channels, the auditors and the citizen
portal. Their codes are fixed and few, so a person's pseudonyms under each
can be computed like a catalog agency's (`office_pseudonyms`), and none is
a consuming agency's code: the catalog's codes name ministries and
agencies (`LOCAL_WELFARE`, `MOIS`, ...).
"""

from __future__ import annotations

from hub.auth.roles import Role
from hub.identity.pseudonyms import agency_person_id
from hub.keys import KeyRing

#: The `agency` of an auditor's entries (no consuming agency has this code).
AUDITOR_AGENCY = "AUDITOR"
#: The `agency` of a privacy officer's reads about a person.
PRIVACY_OFFICE = "PRIVACY_OFFICE"
#: The `agency` of a consent-manager channel's reads; the channel itself is
#: in `official` (`client_id:official`), so that the set of codes, and of a
#: person's pseudonyms, stays fixed however many channels there are.
CONSENT_CHANNEL = "CONSENT_CHANNEL"
#: The `agency` of the citizen portal's reads (the person's own report).
CITIZEN_PORTAL = "CITIZEN_PORTAL"

OFFICE_OF_ROLE: dict[Role, str] = {
    Role.PRIVACY_OFFICER: PRIVACY_OFFICE,
    Role.CONSENT_MANAGER: CONSENT_CHANNEL,
    Role.AUDITOR: AUDITOR_AGENCY,
    Role.CITIZEN_PORTAL: CITIZEN_PORTAL,
}

#: The offices' names as the person reads them in their access report.
OFFICE_NAMES: dict[str, str] = {
    PRIVACY_OFFICE: "The hub's privacy office",
    CONSENT_CHANNEL: "A consent desk of the hub",
    AUDITOR_AGENCY: "The hub's auditors",
    CITIZEN_PORTAL: "The citizen portal",
}


def office_of(role: Role) -> str:
    """The office code a role's reads are logged under."""
    return OFFICE_OF_ROLE[role]


def office_pseudonyms(keys: KeyRing, rrn: str) -> set[str]:
    """The person's pseudonym under each office: where their administrative entries are."""
    return {agency_person_id(keys, office, rrn) for office in OFFICE_OF_ROLE.values()}
