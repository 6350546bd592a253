"""What a document reads and whether the agency's policy grants it, as an officer reviews it."""

from __future__ import annotations

from hub.admin.document_review import DocumentReview, review_document
from hub.catalog import load_catalog
from policies.compiled import compile_policy
from policies.document import read_baseline
from schema.build import build_schema

CATALOG = load_catalog()
HUB = build_schema(CATALOG)
BASELINE = compile_policy(read_baseline(), CATALOG, 1)

DOCUMENT = """
query Identity($rrn: String!) {
  person(rrn: $rrn) { residentRegistration { name birthDate registrationNumberMasked } }
}
query Raw($rrns: [String!]!) {
  persons(rrns: $rrns) {
    ... on Person { residentRegistration { registrationNumber } }
    household { members { relationship } }
  }
}
query Pair { persons(rrns: ["8503142000000", "9001011000000"]) { id } }
query Meta { __typename }
"""


def _review(agency: str = "LOCAL_WELFARE") -> DocumentReview:
    return review_document(
        HUB.schema._schema, HUB.schema_map, BASELINE, agency, DOCUMENT, catalog=CATALOG
    )


def test_each_operation_lists_types_fields_and_the_purposes_granting_them() -> None:
    identity, raw, pair, meta = _review().operations
    assert identity.name == "Identity" and identity.persons == 1
    fields = {f"{f.info_type}.{f.field}": f for f in identity.fields}
    assert sorted(fields) == [
        "residentRegistration.birthDate",
        "residentRegistration.name",
        "residentRegistration.registrationNumberMasked",
    ]
    masked = fields["residentRegistration.registrationNumberMasked"].granted_for
    assert {(r.purpose, r.form) for r in masked} >= {("basic_livelihood_eligibility", "masked")}
    # Emergency support receives the birth year only, never the date.
    birth = {r.purpose for r in fields["residentRegistration.birthDate"].granted_for}
    assert "emergency_welfare_support" not in birth and "basic_livelihood_eligibility" in birth
    assert identity.runnable_for == (
        "basic_livelihood_eligibility",
        "near_poor_eligibility",
        "periodic_reverification",
    )

    # Inline fragments and household walks are reviewed as the gate plans them.
    assert raw.persons is None and raw.walks_household
    raw_fields = {f"{f.info_type}.{f.field}": f for f in raw.fields}
    number = raw_fields["residentRegistration.registrationNumber"]
    assert [(r.purpose, r.form) for r in number.granted_for] == [("overpayment_recovery", "full")]
    assert "householdComposition.members" in raw_fields
    assert raw.runnable_for == ("overpayment_recovery",)

    assert pair.persons == 2 and pair.touches_data and pair.fields == ()
    assert not meta.touches_data


def test_coverage_is_the_reviewed_agency_s_own() -> None:
    # KEA receives the age in years, never the birth date: Identity cannot run for it.
    review = _review("KEA")
    identity = review.operations[0]
    granted = {f.field: f.granted for f in identity.fields}
    assert granted == {"name": True, "birthDate": False, "registrationNumberMasked": True}
    assert identity.runnable_for == ()
    assert not review.fully_covered


def test_a_named_fragment_widens_every_operation_as_at_the_gate() -> None:
    # The gate plans each operation with every fragment of the document (it
    # may ask permission for more, never less); the review must say so.
    document = """
    query Identity($rrn: String!) { person(rrn: $rrn) { residentRegistration { name } } }
    query Numbers($rrn: String!) { person(rrn: $rrn) { ...Numbers } }
    fragment Numbers on Person { residentRegistration { registrationNumber } }
    """
    identity, _ = review_document(
        HUB.schema._schema, HUB.schema_map, BASELINE, "LOCAL_WELFARE", document, catalog=CATALOG
    ).operations
    assert {f.field for f in identity.fields} == {"name", "registrationNumber"}
    assert identity.runnable_for == ("overpayment_recovery",)


def _fan_out(levels: int) -> str:
    """A document whose fragments each spread the next twice: 2**levels paths."""
    fragments = [
        f"fragment F{i} on Person {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels - 1)
    ]
    fragments.append(f"fragment F{levels - 1} on Person {{ id }}")
    return "query($r: String!) { person(rrn: $r) { ...F0 } }\n" + "\n".join(fragments)


def test_a_fan_out_document_is_refused_before_review_walks_it() -> None:
    import pytest
    from graphql import GraphQLError

    with pytest.raises(GraphQLError) as refused:
        review_document(
            HUB.schema._schema,
            HUB.schema_map,
            BASELINE,
            "LOCAL_WELFARE",
            _fan_out(30),
            catalog=CATALOG,
        )
    assert refused.value.extensions == {"code": "TOO_MANY_SELECTIONS", "limit": 2000}
