"""The `ssis-hub` commands a newcomer and an operator use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.catalog import load_catalog
from hub.cli.main import main
from hub.identity.rrn import parse_rrn
from simulator.population import Population

ROOT = Path(__file__).resolve().parents[3]


def test_catalog_json_has_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"infoTypes", "sources", "agencies"}
    assert len(data["infoTypes"]) == 54
    assert len(data["agencies"]) == 18
    first = data["infoTypes"][0]
    assert set(first) >= {"name", "group", "fields", "source", "sensitivity", "legalBasis"}
    assert all(set(a) >= {"code", "name", "purposes"} for a in data["agencies"])


def test_catalog_summary_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog"]) == 0
    out = capsys.readouterr().out
    assert "54 information types" in out
    assert "earnedIncome" in out


def test_demo_subjects_exist_and_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo-subjects", "-n", "7"]) == 0
    rrns = capsys.readouterr().out.split()
    assert len(rrns) == 7
    population = Population()
    for rrn in rrns:
        parse_rrn(rrn)
        assert rrn in population


def test_demo_subjects_refuses_impossible_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo-subjects", "-n", "0"]) == 2
    assert "-n must be" in capsys.readouterr().err


def test_dev_token_is_refused_in_production(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("HUB_ENVIRONMENT", "production")
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path))
    agency = load_catalog().agencies[0].code
    assert main(["dev-token", "--agency", agency, "--official", "kim"]) == 2
    assert "refus" in capsys.readouterr().err


def test_dev_token_refuses_unknown_agency(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path))
    assert main(["dev-token", "--agency", "NOPE", "--official", "kim"]) == 2
    assert "unknown agency" in capsys.readouterr().err


def test_dev_token_prints_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path))
    agency = load_catalog().agencies[0].code
    assert main(["dev-token", "--agency", agency, "--official", "kim.01"]) == 0
    assert capsys.readouterr().out.count(".") == 2


def test_schema_check_detects_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--check", str(ROOT / "schema.graphql")]) == 0
    stale = tmp_path / "stale.graphql"
    stale.write_text((ROOT / "schema.graphql").read_text().replace("annualAmount", "amount"))
    assert main(["schema", "--check", str(stale)]) == 1
    assert "differs" in capsys.readouterr().err


def test_migrate_refuses_to_start_on_an_empty_baseline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("policies.document.BASELINE_DIR", tmp_path / "baseline")
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    assert main(["migrate", "--database-url", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: refusing to start: the baseline policy has no agency")
