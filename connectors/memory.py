"""An in-process connector over a published dataset, for benchmarks.

It lets a benchmark measure the hub's own cost with no network time hiding
it, while going through the same registry, loaders and checks as any other
connector. Production refuses it: there, every field comes from its source.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from connectors.base import BaseConnector, FetchResult, FieldRequest
from connectors.registry import register
from hub.catalog.model import Catalog, InfoType, Source
from hub.settings import Settings


class MemoryDataset(Protocol):
    """Anything that can answer for persons from memory (e.g. a simulated population)."""

    def __contains__(self, rrn: object) -> bool:
        """Whether the dataset knows this person."""
        ...

    def record(self, rrn: str, info_type: InfoType, fields: Sequence[str]) -> Any:
        """The person's record(s) of `info_type` with just `fields`."""
        ...


_DATASETS: dict[str, MemoryDataset] = {}


def publish_dataset(name: str, dataset: MemoryDataset) -> None:
    """Make `dataset` reachable as `memory://{name}` in source URLs."""
    _DATASETS[name] = dataset


class MemoryConnector(BaseConnector):
    """Answers from a published in-memory dataset, in the protocol's shape."""

    def __init__(self, source: Source, catalog: Catalog, settings: Settings) -> None:
        super().__init__(source, catalog, settings)
        if settings.is_production:
            raise ValueError(f"source {source.code}: memory:// is refused in production")
        name = settings.source(source.code).url.split("://", 1)[1]
        if name not in _DATASETS:
            raise ValueError(f"source {source.code}: no dataset published as {name!r}")
        self.dataset = _DATASETS[name]

    async def _fetch(self, subjects: Sequence[str], fields: FieldRequest) -> FetchResult:
        """Answer from memory; see BaseConnector.fetch."""
        result = FetchResult()
        for rrn in subjects:
            if rrn not in self.dataset:
                result.unknown.add(rrn)
                continue
            result.records[rrn] = {
                type_name: self.dataset.record(rrn, self.catalog.info_type(type_name), names)
                for type_name, names in fields.items()
            }
        return result


@register("memory")
def _memory(source: Source, catalog: Catalog, settings: Settings) -> BaseConnector:
    return MemoryConnector(source, catalog, settings)
