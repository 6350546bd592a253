"""An agency's policy as TOML: rendered from the document, read back with every problem placed."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.catalog import load_catalog
from policies.agency_toml import (
    MAX_PROBLEMS,
    AgencyNotInPolicy,
    ProposalProblem,
    locate,
    parse_agency,
    render_agency,
)
from policies.compiled import PolicyError, compile_policy
from policies.document import BASELINE_DIR, PolicyDocument, parse_document, read_baseline

CATALOG = load_catalog()
BASELINE = read_baseline()
AGENCY = "LOCAL_WELFARE"


def _problems(text: str, agency: str = AGENCY, base: PolicyDocument = BASELINE) -> list[str]:
    proposal = parse_agency(text, agency, base, CATALOG)
    assert proposal.document is None and not proposal.valid
    return [str(p) for p in proposal.problems]


@pytest.mark.parametrize("agency", sorted(a.agency for a in BASELINE.agencies))
def test_every_baseline_agency_round_trips_exactly(agency: str) -> None:
    text = render_agency(BASELINE, agency, version=1)
    proposal = parse_agency(text, agency, BASELINE, CATALOG)
    assert proposal.valid and proposal.problems == ()
    assert proposal.document == BASELINE
    assert compile_policy(proposal.document, CATALOG, 1) == compile_policy(BASELINE, CATALOG, 1)
    # Stable: rendering what was read gives the same text.
    assert render_agency(proposal.document, agency, version=1) == text


@pytest.mark.parametrize("path", sorted(BASELINE_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_the_baseline_files_themselves_read_as_proposals(path: Path) -> None:
    # The hand-written layout (comments, inline tables) is read the same way.
    text = path.read_text(encoding="utf-8")
    agency = path.stem
    assert parse_agency(text, agency, BASELINE, CATALOG).document == BASELINE


def test_an_edit_replaces_only_that_agencys_part() -> None:
    text = render_agency(BASELINE, AGENCY).replace("max_persons = 50", "max_persons = 40", 1)
    proposal = parse_agency(text, AGENCY, BASELINE, CATALOG)
    assert proposal.document is not None
    changed = [
        (old.agency, old == new)
        for old, new in zip(BASELINE.agencies, proposal.document.agencies, strict=True)
    ]
    assert [a for a, same in changed if not same] == [AGENCY]
    assert (
        proposal.document.agencies[[a for a, _ in changed].index(AGENCY)].grants[0].max_persons
        == 40
    )


def test_toml_that_does_not_parse_gives_its_line_and_column() -> None:
    text = render_agency(BASELINE, AGENCY).replace('name = "full"', 'name = "full', 1)
    line = text.splitlines().index('name = "full') + 1
    (problem,) = parse_agency(text, AGENCY, BASELINE, CATALOG).problems
    assert (problem.path, problem.line) == ("", line)
    assert problem.column is not None and problem.message


def test_every_catalog_problem_is_listed_with_its_path_and_line() -> None:
    text = (
        render_agency(BASELINE, AGENCY)
        .replace('birthDate = "full"', 'birthDate = "birthMonth"', 1)
        .replace('sex = "full"', 'gender = "full"', 1)
    )
    lines = text.splitlines()
    proposal = parse_agency(text, AGENCY, BASELINE, CATALOG)
    assert proposal.document is None
    located = {(p.path, p.line) for p in proposal.problems}
    assert located == {
        (
            "grants[0].types.residentRegistration.fields.birthDate",
            lines.index('birthDate = "birthMonth"') + 1,
        ),
        ("grants[0].types.residentRegistration.fields.gender", lines.index('gender = "full"') + 1),
    }
    assert any("birthYear" in p.message for p in proposal.problems)


def test_model_errors_are_listed_with_their_paths() -> None:
    text = (
        render_agency(BASELINE, AGENCY)
        .replace("max_persons = 50", "max_persons = 5000", 1)
        .replace("max_age_days = 30", 'max_age_days = "a month"', 1)
    )
    problems = parse_agency(text, AGENCY, BASELINE, CATALOG).problems
    assert [p.path for p in problems] == ["grants[0].max_persons", "grants[0].max_age_days"]
    assert all(p.line is not None for p in problems)


def test_a_problem_inside_an_inline_table_gets_its_column() -> None:
    text = (BASELINE_DIR / "BAI.toml").read_text(encoding="utf-8")
    wrong = 'fields = { year = "full", annualAmount = "fulll", monthsWorked = "full" }'
    text = text.replace(
        'fields = { year = "full", annualAmount = "full", monthsWorked = "full" }', wrong, 1
    )
    (problem,) = parse_agency(text, "BAI", BASELINE, CATALOG).problems
    assert problem.path == "grants[0].types.earnedIncome.fields.annualAmount"
    assert problem.line == text.splitlines().index(wrong) + 1
    assert problem.column == wrong.index("annualAmount") + 1


def test_a_file_naming_another_agency_is_refused() -> None:
    text = render_agency(BASELINE, "BAI")
    assert _problems(text) == [
        "agency (line 5, column 1): this is the policy of LOCAL_WELFARE: "
        "agency must be 'LOCAL_WELFARE', not 'BAI'"
    ]


def test_a_missing_key_is_placed_at_its_table() -> None:
    text = render_agency(BASELINE, AGENCY)
    legal = next(line for line in text.splitlines() if line.startswith("legal_basis"))
    problems = parse_agency(text.replace(legal + "\n", "", 1), AGENCY, BASELINE, CATALOG).problems
    assert [(p.path, p.line) for p in problems] == [
        ("grants[0].legal_basis", text.splitlines().index("[[grants]]") + 1)
    ]


def test_an_agency_the_base_does_not_have_is_added() -> None:
    base = parse_document({"agencies": [a.model_dump() for a in BASELINE.agencies[1:]]})
    dropped = BASELINE.agencies[0].agency
    proposal = parse_agency(render_agency(BASELINE, dropped), dropped, base, CATALOG)
    assert proposal.document is not None
    assert proposal.document.agencies[-1] == BASELINE.agencies[0]


def test_an_agency_the_catalog_does_not_know_is_refused() -> None:
    text = render_agency(BASELINE, AGENCY).replace(f'agency = "{AGENCY}"', 'agency = "NOBODY"')
    assert _problems(text, "NOBODY") == ["agency (line 5, column 1): unknown agency NOBODY"]


def test_rendering_an_agency_the_policy_does_not_name() -> None:
    with pytest.raises(AgencyNotInPolicy):
        render_agency(BASELINE, "NOBODY")


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    assert _problems("x = " + "[" * 100_000) == ["the file: nested too deeply"]


def test_problems_are_bounded() -> None:
    fields = "\n".join(f'f{i} = "full"' for i in range(MAX_PROBLEMS + 5))
    text = (
        f'agency = "{AGENCY}"\n[[grants]]\npurpose = "basic_livelihood_eligibility"\n'
        f'legal_basis = "Act"\n[grants.types.residentRegistration.fields]\n{fields}\n'
    )
    problems = parse_agency(text, AGENCY, BASELINE, CATALOG).problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == ProposalProblem("", "and 5 more problems")


def test_locate_follows_tables_arrays_dotted_and_inline_keys() -> None:
    text = (
        'agency = "A"\n'
        "[[grants]]\n"
        'purpose = "p"\n'
        "[[grants]]\n"
        'legal_basis = """two\nlines"""\n'
        'types.land = { fields = { area = "full" } }\n'
        "[grants.types.ships]\n"
        "fields.value = 'full'\n"
    )
    found = locate(text)
    assert found["grants[0].purpose"] == (3, 1)
    assert found["grants[1]"] == (4, 3)
    assert found["grants[1].types.land.fields.area"][0] == 7
    assert "lines" not in "".join(found)
    assert found["grants[1].types.ships"] == (8, 2)
    assert found["grants[1].types.ships.fields.value"] == (9, 1)


def test_compile_policy_locates_its_problems_in_the_whole_document() -> None:
    data = BASELINE.as_json()
    data["agencies"][2]["grants"][1]["types"]["nope"] = {"fields": {"x": "full"}}
    with pytest.raises(PolicyError) as raised:
        compile_policy(parse_document(data), CATALOG, 0)
    assert [p.path for p in raised.value.located] == ["agencies[2].grants[1].types.nope"]
    assert raised.value.problems == [p.message for p in raised.value.located]
