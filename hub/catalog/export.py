"""Renderings of the catalog for people and tools: a JSON document and a summary."""

from __future__ import annotations

from collections.abc import Sequence

from hub.catalog.model import Agency, Catalog, Field, Group, InfoType, Source


def _field_json(f: Field) -> dict[str, object]:
    out: dict[str, object] = {
        "name": f.name,
        "kind": f.kind.value,
        "unit": f.unit,
        "description": f.description,
        "optional": f.optional,
    }
    if f.choices:
        out["choices"] = list(f.choices)
    return out


def _type_json(t: InfoType) -> dict[str, object]:
    return {
        "name": t.name,
        "title": t.title,
        "group": t.group.value,
        "description": t.description,
        "source": t.source,
        "sensitivity": t.sensitivity.value,
        "legalBasis": t.legal_basis,
        "many": t.many,
        "fields": [_field_json(f) for f in t.exposed_fields],
    }


def _source_json(catalog: Catalog, s: Source) -> dict[str, object]:
    return {
        "code": s.code,
        "name": s.name,
        "description": s.description,
        "transport": s.transport.value,
        "infoTypes": [t.name for t in catalog.types_of(s.code)],
    }


def _agency_json(a: Agency) -> dict[str, object]:
    return {
        "code": a.code,
        "name": a.name,
        "description": a.description,
        "purposes": [
            {"code": p.code, "name": p.name, "description": p.description} for p in a.purposes
        ],
    }


def catalog_to_json(catalog: Catalog) -> dict[str, object]:
    """The catalog as a JSON-serialisable document.

    Top-level keys are `infoTypes`, `sources` and `agencies`; only exposed
    fields are listed, so internal fields never leave the hub.
    """
    return {
        "infoTypes": [_type_json(t) for t in catalog.info_types],
        "sources": [_source_json(catalog, s) for s in catalog.sources],
        "agencies": [_agency_json(a) for a in catalog.agencies],
    }


def _table(headers: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(headers), line(tuple("-" * w for w in widths)), *(line(r) for r in rows)]


def catalog_summary(catalog: Catalog) -> str:
    """A plain-text summary of the catalog for the command line.

    Counts first, then one table per group (type, source, sensitivity, number
    of exposed fields), then the sources and the agencies with their purposes.
    """
    lines = [
        f"{len(catalog.info_types)} information types, {len(catalog.sources)} sources, "
        f"{len(catalog.agencies)} agencies",
    ]
    for group in Group:
        types = [t for t in catalog.info_types if t.group is group]
        if not types:
            continue
        lines += ["", f"{group.value} ({len(types)})"]
        rows = [
            (
                t.name + (" [many]" if t.many else ""),
                t.source,
                t.sensitivity.value,
                str(len(t.exposed_fields)),
            )
            for t in types
        ]
        lines += _table(("type", "source", "sensitivity", "fields"), rows)
    lines += ["", f"sources ({len(catalog.sources)})"]
    for s in catalog.sources:
        owned = ", ".join(t.name for t in catalog.types_of(s.code))
        lines.append(f"  {s.code} [{s.transport.value}] {s.name}: {owned}")
    lines += ["", f"agencies ({len(catalog.agencies)})"]
    for a in catalog.agencies:
        lines.append(f"  {a.code} {a.name}")
        lines += [f"    - {p.code}: {p.name}" for p in a.purposes]
    return "\n".join(lines) + "\n"
