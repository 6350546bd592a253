"""The declarative catalog: what the hub shares, who owns it, who may ask.

`load_catalog()` assembles and validates the declarations of the six group
modules, the source institutions and the consuming agencies once per process.
"""

from __future__ import annotations

import functools

from hub.catalog import (
    types_assets,
    types_benefits,
    types_identity,
    types_income,
    types_insurance,
    types_status,
)
from hub.catalog.agencies import AGENCIES
from hub.catalog.model import (
    Agency,
    Catalog,
    CatalogError,
    Field,
    Group,
    InfoType,
    Kind,
    Purpose,
    Sensitivity,
    Source,
    Transport,
)
from hub.catalog.sources import SOURCES

__all__ = [
    "Agency",
    "Catalog",
    "CatalogError",
    "Field",
    "Group",
    "InfoType",
    "Kind",
    "Purpose",
    "Sensitivity",
    "Source",
    "Transport",
    "load_catalog",
]

_GROUP_MODULES = (
    types_identity,
    types_income,
    types_assets,
    types_insurance,
    types_status,
    types_benefits,
)


@functools.cache
def load_catalog() -> Catalog:
    """The validated catalog, types in group order; built once and shared.

    Raises CatalogError if the declarations contradict each other, including a
    type declared in the module of another group.
    """
    info_types: list[InfoType] = []
    for group, module in zip(Group, _GROUP_MODULES, strict=True):
        for info_type in module.TYPES:
            if info_type.group is not group:
                raise CatalogError(
                    f"information type {info_type.name!r} of group {info_type.group} is "
                    f"declared in {module.__name__}, the module of group {group}"
                )
            info_types.append(info_type)
    return Catalog(info_types=tuple(info_types), sources=SOURCES, agencies=AGENCIES)
