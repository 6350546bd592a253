"""The console's sections, one per role: where each role lands, what its navigation lists.

A section is a prefix (`/console/officer/`), the one role that may open
anything under it, and its pages. Pages not built yet are `planned`: they
are routed and guarded already (`pages.py`), so role separation holds from
the first commit, and say which admin API fields serve the need meanwhile.
No section serves an auditor together with any other role, as on
/admin/graphql.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.auth.roles import Role

PREFIX = "/console"


@dataclass(frozen=True)
class Page:
    """One page of a section."""

    slug: str
    label: str
    summary: str
    #: The /admin/graphql fields the page will call (through their services).
    fields: tuple[str, ...] = ()
    #: Built: its handler is registered by its own module. Planned: a guarded placeholder.
    built: bool = False


@dataclass(frozen=True)
class Section:
    """The pages of one role."""

    slug: str
    role: Role
    title: str
    #: How the signed-in person's role reads in the header.
    role_label: str
    intro: str
    pages: tuple[Page, ...]

    @property
    def home(self) -> str:
        """The section's landing page, where sign-in leads."""
        return f"{PREFIX}/{self.slug}/"

    def path(self, page: Page) -> str:
        """A page's address."""
        return f"{PREFIX}/{self.slug}/{page.slug}" if page.slug else self.home


OFFICER = Section(
    "officer",
    Role.PRIVACY_OFFICER,
    "Privacy office",
    "Privacy officer",
    "Decide who may see what: policy versions under four eyes, simulations of what an "
    "agency would receive, consents, trusted documents and the agencies' clients.",
    (
        Page(
            "agencies",
            "Agencies",
            "Every agency, its purposes, and per purpose each granted type and field with its "
            "form, statute or consent, person limit and legal basis.",
            ("policyVersion",),
            built=True,
        ),
        Page(
            "policies",
            "Policy versions",
            "Review the active policy, propose a new version on top of it, approve or reject "
            "another officer's proposal, and read the plain-terms difference between versions.",
            (
                "policyVersions",
                "policyVersion",
                "policyDiff",
                "proposePolicyVersion",
                "approvePolicyVersion",
                "rejectPolicyVersion",
            ),
            built=True,
        ),
        Page(
            "simulate",
            "Simulate",
            "See what an agency would receive about a person under a purpose, without "
            "releasing anything (the look-up is logged).",
            ("simulate",),
            built=True,
        ),
        Page(
            "consents",
            "Consents",
            "Look up a person's consents under a case reference; pause, resume or revoke "
            "one with a reason.",
            ("consents", "pauseConsent", "resumeConsent", "revokeConsent"),
            built=True,
        ),
        Page(
            "documents",
            "Trusted documents",
            "Approve, reject or revoke the operations agencies registered.",
            (
                "trustedDocuments",
                "trustedDocument",
                "approveTrustedDocument",
                "rejectTrustedDocument",
                "revokeTrustedDocument",
            ),
            built=True,
        ),
        Page(
            "clients",
            "Clients",
            "Switch an agency's client off or on, or remove one of its keys, with a reason.",
            ("client", "disableClient", "enableClient", "removeClientKey"),
            built=True,
        ),
    ),
)

AUDITOR = Section(
    "auditor",
    Role.AUDITOR,
    "Audit",
    "Auditor",
    "Inspect the access log: search it, follow an official's activity, check the signed "
    "tree heads and proofs, and export ranges for offline verification. Every read is "
    "itself logged under the inquiry you name.",
    (
        Page(
            "entries",
            "Search the log",
            "Entries by person, agency, official, purpose, case, outcome, kind and time, "
            "newest first, suppressed entries included.",
            ("auditEntries",),
            built=True,
        ),
        Page(
            "activity",
            "Official's activity",
            "Everything one official did, over a period, optionally for one agency, with "
            "charts of the activity over time.",
            ("officialActivity", "officialActivitySeries"),
            built=True,
        ),
        Page(
            "charts",
            "Charts",
            "Agencies' accesses per day, and refused information types per day and per "
            "reason code, over a range of days.",
            ("auditAccessSeries", "auditRefusalSeries"),
            built=True,
        ),
        Page(
            "integrity",
            "Tree heads and proofs",
            "Every signed tree head verified against the published keys, and an entry's "
            "inclusion proof verified on the server and downloadable.",
            ("latestTreeHead", "treeHeads", "entryInclusion", "signTreeHead"),
            built=True,
        ),
        Page(
            "exports",
            "Exports",
            "Export a range of the log as JSON Lines with a head signed for its end.",
            ("exportRange",),
            built=True,
        ),
    ),
)

CONSENT_DESK = Section(
    "consent-desk",
    Role.CONSENT_MANAGER,
    "Consent desk",
    "Consent manager",
    "Record the consents people give at this desk, and look up, pause, resume or revoke them.",
    (
        Page("record", "Record a consent", "Record a consent a person gave.", ("recordConsent",)),
        Page(
            "consents",
            "Look up consents",
            "A person's consents under a case reference.",
            ("consents", "pauseConsent", "resumeConsent", "revokeConsent"),
        ),
    ),
)

CITIZEN = Section(
    "citizen",
    Role.CITIZEN_PORTAL,
    "My data",
    "Citizen",
    "Who used your data, when, and why.",
    (
        Page(
            "",
            "Who used my data",
            "Every use of your data by an agency or an office of the hub, newest first.",
            ("accessReport",),
            built=True,
        ),
    ),
)

SECTIONS: tuple[Section, ...] = (OFFICER, AUDITOR, CONSENT_DESK, CITIZEN)
SECTION_OF_ROLE: dict[Role, Section] = {section.role: section for section in SECTIONS}
