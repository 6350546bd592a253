"""One agency's part of the policy as TOML text: rendered to edit, parsed back as a proposal.

Privacy officers edit an agency's grants as the reviewed baseline files are
written, one TOML file per agency (`policies/baseline/*.toml`). This module
renders that file from a stored document and reads an edited one back into
a whole-policy proposal (the base document with that agency's part
replaced), listing every problem with where it is: the line and column for
TOML that does not parse, else the path in the agency's file
(`grants[2].types.earnedIncome.fields.annualAmount`) and the line it is on
when it can be found. The checks are the document model's (pydantic) and
the catalog's (`policies.compiled.compile_policy`); none is repeated here.

Pure: no database, no clock.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import tomli_w
from pydantic import ValidationError

from hub.catalog.model import Catalog
from policies.compiled import PolicyError, compile_policy
from policies.document import AgencyPolicy, ConsentBasis, PolicyDocument

#: A proposal with more problems than this lists the first ones and says so:
#: a pasted file of the wrong kind should not produce a page of thousands.
MAX_PROBLEMS = 200


class AgencyNotInPolicy(LookupError):
    """The document has no part for this agency (it is granted nothing)."""


@dataclass(frozen=True, slots=True)
class ProposalProblem:
    """One problem of an edited agency file, and where it is.

    `path` is in the agency's file (`grants[2].types.earnedIncome`), empty for
    TOML that does not parse; `line` and `column` are 1-based, None when the
    problem is about something missing or could not be placed.
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path or "the file"
        if self.line is not None:
            where += f" (line {self.line}" + (
                f", column {self.column})" if self.column is not None else ")"
            )
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class AgencyProposal:
    """An edited agency file read back: the whole proposed document, or its problems.

    Exactly one of the two holds something: `document` is None whenever
    there is a problem, so nothing invalid can be proposed by mistake.
    """

    agency: str
    document: PolicyDocument | None
    problems: tuple[ProposalProblem, ...] = ()

    @property
    def valid(self) -> bool:
        """Whether the file may be proposed as it is."""
        return self.document is not None and not self.problems


def agency_part(document: PolicyDocument, agency: str) -> AgencyPolicy:
    """The agency's part of the document; AgencyNotInPolicy when it has none."""
    for part in document.agencies:
        if part.agency == agency:
            return part
    raise AgencyNotInPolicy(f"the policy grants agency {agency} nothing")


def render_agency(document: PolicyDocument, agency: str, *, version: int | None = None) -> str:
    """The agency's grants as a TOML file in the baseline's layout; stable for equal input.

    Defaults that matter to a reader (`max_persons`, `max_age_days`,
    `suppressed`) are always written; `basis` only when it is consent and
    `suppression_days` only for a suppressed grant, as the baseline does.
    Reading it back (`parse_agency`) gives the same part exactly.
    """
    part = agency_part(document, agency)
    grants: list[dict[str, Any]] = []
    for grant in part.grants:
        out: dict[str, Any] = {
            "purpose": grant.purpose,
            "legal_basis": grant.legal_basis,
            "max_persons": grant.max_persons,
            "max_age_days": grant.max_age_days,
            "suppressed": grant.suppressed,
        }
        if grant.suppressed:
            out["suppression_days"] = grant.suppression_days
        types: dict[str, Any] = {}
        for type_name, type_grant in grant.types.items():
            entry: dict[str, Any] = {}
            if type_grant.basis is not ConsentBasis.STATUTE:
                entry["basis"] = str(type_grant.basis)
            entry["fields"] = dict(type_grant.fields)
            types[type_name] = entry
        out["types"] = types
        grants.append(out)
    of = f" in policy version {version}" if version is not None else ""
    header = (
        f"# {agency}'s grants{of}, one [[grants]] per purpose.\n"
        '# Each field is "full", the name of one of its minimised forms, or "denied";\n'
        '# a type needing the person\'s consent says basis = "consent".\n\n'
    )
    return header + tomli_w.dumps({"agency": agency, "grants": grants})


_TOML_POSITION = re.compile(
    r"^(?P<message>.*?)\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)$"
)
_END_OF_DOCUMENT = re.compile(r"^(?P<message>.*?)\s*\(at end of document\)$")


def _decode_problem(exc: tomllib.TOMLDecodeError, text: str) -> ProposalProblem:
    """tomllib's error, with its position as numbers (Python 3.11 has it only in the words)."""
    message = str(exc)
    if match := _TOML_POSITION.match(message):
        return ProposalProblem("", match["message"], int(match["line"]), int(match["column"]))
    if match := _END_OF_DOCUMENT.match(message):
        return ProposalProblem("", match["message"], text.count("\n") + 1, None)
    return ProposalProblem("", message)


def _path(loc: Sequence[int | str]) -> str:
    """A pydantic location as a path: `grants[2].types.earnedIncome`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_agency(text: str, agency: str, base: PolicyDocument, catalog: Catalog) -> AgencyProposal:
    """Read an edited agency file into the whole proposed document, or list every problem.

    The proposal is `base` with `agency`'s part replaced by the file (added
    when `base` had none). Problems: TOML that does not parse (its line and
    column); the file naming another agency; every error of the document
    model; every contradiction with the catalog. The file is located line
    by line (`locate`) to give each path its line.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return AgencyProposal(agency, None, (_decode_problem(exc, text),))
    except RecursionError:
        # tomllib recurses into nested arrays and inline tables: a file nested
        # thousands deep is not a policy, and must not become a 500.
        return AgencyProposal(agency, None, (ProposalProblem("", "nested too deeply"),))
    lines = locate(text)
    problems: list[ProposalProblem] = []

    def add(path: str, message: str) -> None:
        line, column = _line_of(lines, path)
        problems.append(ProposalProblem(path, message, line, column))

    named = data.get("agency")
    if isinstance(named, str) and named != agency:
        add("agency", f"this is the policy of {agency}: agency must be {agency!r}, not {named!r}")
    try:
        part = AgencyPolicy.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            add(_path(error["loc"]), error["msg"])
        return AgencyProposal(agency, None, _bounded(problems))
    if problems:
        return AgencyProposal(agency, None, _bounded(problems))
    parts = list(base.agencies)
    index = next((i for i, p in enumerate(parts) if p.agency == agency), None)
    if index is None:
        index = len(parts)
        parts.append(part)
    else:
        parts[index] = part
    document = PolicyDocument(agencies=parts)
    try:
        compile_policy(document, catalog, 0)
    except PolicyError as exc:
        prefix = f"agencies[{index}]."
        for problem in exc.located:
            if problem.path.startswith(prefix):
                add(problem.path.removeprefix(prefix), problem.message)
            else:
                # Another agency's part: not in this file, so no line to give.
                problems.append(ProposalProblem(problem.path, problem.message))
        return AgencyProposal(agency, None, _bounded(problems))
    return AgencyProposal(agency, document)


def _bounded(problems: list[ProposalProblem]) -> tuple[ProposalProblem, ...]:
    if len(problems) <= MAX_PROBLEMS:
        return tuple(problems)
    more = ProposalProblem("", f"and {len(problems) - MAX_PROBLEMS} more problems")
    return (*problems[:MAX_PROBLEMS], more)


# Where each key of a TOML file is: a small line scanner, enough for the
# layouts officers write (tables, arrays of tables, dotted and inline keys).
# It only places problems that the parser and the model have already found,
# so a layout it does not follow costs a line number, never a wrong check.

_BARE_KEY = r"[A-Za-z0-9_-]+"
_KEY = rf'(?:{_BARE_KEY}|"[^"\\]*"|\'[^\']*\')'
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?")
_ASSIGN = re.compile(rf"^(\s*)({_DOTTED})\s*=\s*")
_SPLIT = re.compile(rf"\s*({_KEY})\s*(?:\.|$)")


def _keys(dotted: str) -> list[str]:
    return [k.strip("\"'") for k in _SPLIT.findall(dotted)]


def locate(text: str) -> dict[str, tuple[int, int]]:
    """Every key's path in the file (`grants[1].types.land.fields.area`) and its line, column."""
    found: dict[str, tuple[int, int]] = {}
    arrays: dict[str, int] = {}  # array-of-tables path (unindexed) -> its last index
    table = ""
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline is not None:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        if match := _HEADER.match(line):
            keys = _keys(match[2])
            table = _indexed(keys, arrays, append=match[1] == "[[")
            found.setdefault(table, (number, match.start(2) + 1))
            continue
        if match := _ASSIGN.match(line):
            path = _join(table, _keys(match[2]))
            found.setdefault(path, (number, match.start(2) + 1))
            rest = line[match.end() :]
            if rest.startswith("{"):
                _inline(rest, path, number, match.end(), found)
            for quotes in ('"""', "'''"):
                if rest.startswith(quotes) and rest.count(quotes) == 1:
                    in_multiline = quotes
    return found


def _join(table: str, keys: list[str]) -> str:
    return ".".join([table, *keys]) if table else ".".join(keys)


def _indexed(keys: list[str], arrays: dict[str, int], *, append: bool) -> str:
    """A header's path with the current index of every array of tables it passes through."""
    out = ""
    plain = ""
    for key in keys:
        plain = f"{plain}.{key}" if plain else key
        out = f"{out}.{key}" if out else key
        if plain in arrays and not (append and plain == ".".join(keys)):
            out += f"[{arrays[plain]}]"
    if append:
        arrays[plain] = arrays.get(plain, -1) + 1
        out += f"[{arrays[plain]}]"
    return out


_INLINE_KEY = re.compile(rf"\s*({_DOTTED})\s*=\s*")


def _inline(
    rest: str, path: str, line: int, offset: int, found: dict[str, tuple[int, int]]
) -> None:
    """The keys of an inline table on one line: `fields = { area = "full", tenure = "full" }`."""
    stack = [path]
    i = 1  # past the opening brace
    expect_key = True
    while i < len(rest) and stack:
        char = rest[i]
        if expect_key and (match := _INLINE_KEY.match(rest, i)):
            key_path = _join(stack[-1], _keys(match[1]))
            found.setdefault(key_path, (line, offset + match.start(1) + 1))
            i = match.end()
            expect_key = False
            if i < len(rest) and rest[i] == "{":
                stack.append(key_path)
                expect_key = True
                i += 1
            continue
        if char in "\"'":
            end = rest.find(char, i + 1)
            i = len(rest) if end < 0 else end + 1
            continue
        if char == ",":
            expect_key = True
        elif char == "}":
            stack.pop()
        i += 1


def _line_of(lines: dict[str, tuple[int, int]], path: str) -> tuple[int | None, int | None]:
    """The line of `path`, or of the nearest enclosing key the file has."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None, None


class ProposalInvalid(ValueError):
    """An edited agency file cannot be proposed; `problems` lists every one, placed."""

    def __init__(self, agency: str, problems: Sequence[ProposalProblem]) -> None:
        self.agency = agency
        self.problems = tuple(problems)
        super().__init__(
            f"the policy of {agency} has {len(self.problems)} problem(s): "
            + "; ".join(str(p) for p in self.problems[:3])
            + ("; ..." if len(self.problems) > 3 else "")
        )


__all__ = [
    "MAX_PROBLEMS",
    "AgencyNotInPolicy",
    "AgencyProposal",
    "ProposalInvalid",
    "ProposalProblem",
    "agency_part",
    "locate",
    "parse_agency",
    "render_agency",
]
