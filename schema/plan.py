"""What a request asks for, computed from the document before anything runs.

The plan maps each information type to the fields the operation selects on
it, wherever they appear (directly, through fragments, under household
members). Loaders ask each source for exactly that, and later the policy
decision reads the same plan, so "ask only for what you may" is checked
before any source is contacted.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)

from hub.catalog.model import Catalog

# Root fields that read no person's data: schema introspection and the
# federation SDL. Everything else needs a purpose and a case.
_DATA_FREE_ROOT_FIELDS = frozenset({"__schema", "__type", "__typename", "_service", "myGrants"})


@dataclass(frozen=True)
class SchemaMap:
    """How GraphQL names map back to the catalog; built once with the schema."""

    object_to_type: Mapping[str, str]  # GraphQL object type -> info type name
    person_field_to_type: Mapping[str, str]  # Person field -> info type name
    household_type: str  # the info type behind Person.household
    household_field: str  # the (internal) field a household walk is granted by
    household_companions: tuple[str, ...]  # further source fields a walk reads
    household_id_field: str  # the household type's field that Household.id discloses


@dataclass
class FieldPlan:
    """Info type name -> the schema fields (raw or minimised forms) the operation selects.

    A household walk appears as the household type's internal `members`
    field, so the policy decides it like any other field. Plans are shared
    between requests with the same document (see PlanCache), so nothing may
    change one once built.
    """

    fields: dict[str, set[str]] = field(default_factory=dict)
    touches_data: bool = False
    companions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    walks_household: bool = False
    # Each source's slice, worked out once per plan (plans outlive requests):
    # every request of a cached document asks the same of each source.
    _slices: dict[str, tuple[Catalog, dict[str, list[str]]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def for_source(self, catalog: Catalog, source: str) -> dict[str, list[str]]:
        """The source fields one source is asked for, in catalog field order.

        A minimised form is read from the field it derives from; the raw
        value is decoded and transformed in the hub and never released.
        The answer is shared by every request of the plan: read it, never change it.
        """
        cached = self._slices.get(source)
        if cached is not None and cached[0] is catalog:
            return cached[1]
        found = self._slice(catalog, source)
        self._slices[source] = (catalog, found)
        return found

    def _slice(self, catalog: Catalog, source: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for info_type in catalog.types_of(source):
            wanted = self.fields.get(info_type.name)
            if wanted is None:
                continue
            needed = {info_type.schema_field_source(name) for name in wanted}
            for name in list(needed):
                needed.update(self.companions.get(f"{info_type.name}.{name}", ()))
            out[info_type.name] = [f.name for f in info_type.fields if f.name in needed]
        return out


class _Collector(Visitor):
    def __init__(self, type_info: TypeInfo, schema_map: SchemaMap, plan: FieldPlan) -> None:
        super().__init__()
        self.type_info = type_info
        self.map = schema_map
        self.plan = plan

    def enter_field(self, node: FieldNode, *_: object) -> None:
        parent = self.type_info.get_parent_type()
        if parent is None:
            return
        parent_name = get_named_type(parent).name
        name = node.name.value
        if parent_name == "Query" and name not in _DATA_FREE_ROOT_FIELDS:
            self.plan.touches_data = True
        if parent_name == "Household" and name == "id":
            # Household.id is a pseudonym of the household number: the policy
            # decides it as that field, like any other.
            wanted = self.plan.fields.setdefault(self.map.household_type, set())
            wanted.add(self.map.household_id_field)
            return
        info_type = self.map.object_to_type.get(parent_name)
        if info_type is not None and not name.startswith("__"):
            self.plan.fields.setdefault(info_type, set()).add(name)
        elif parent_name == "Person":
            if name in self.map.person_field_to_type:
                self.plan.fields.setdefault(self.map.person_field_to_type[name], set())
            elif name == "household":
                wanted = self.plan.fields.setdefault(self.map.household_type, set())
                wanted.add(self.map.household_field)
                self.plan.walks_household = True
                key = f"{self.map.household_type}.{self.map.household_field}"
                self.plan.companions[key] = self.map.household_companions


def build_plan(
    schema: GraphQLSchema,
    document: DocumentNode,
    schema_map: SchemaMap,
    operation_name: str | None = None,
) -> FieldPlan:
    """Collect the plan of the operation that will run (and the fragments it uses)."""
    plan = FieldPlan()
    type_info = TypeInfo(schema)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        op
        for op in operations
        if operation_name is None or (op.name and op.name.value == operation_name)
    ]
    # Fragments are visited as declared; an unused fragment can only widen the
    # plan, which errs on the side of asking permission for more, never less.
    others = [d for d in document.definitions if not isinstance(d, OperationDefinitionNode)]
    pruned = DocumentNode(definitions=(*chosen[:1], *others))
    visit(pruned, TypeInfoVisitor(type_info, _Collector(type_info, schema_map, plan)))
    return plan


class PlanCache:
    """Plans by (query text, operation name), least recently used evicted.

    Agencies send the same few operations again and again, so walking the
    document once per distinct operation rather than once per request takes
    the planner off the hot path.
    """

    def __init__(self, schema_map: SchemaMap, maxsize: int = 512) -> None:
        self.schema_map = schema_map
        self.maxsize = maxsize
        self._plans: OrderedDict[tuple[str, str | None], FieldPlan] = OrderedDict()

    def plan(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        query: str | None,
        operation_name: str | None,
    ) -> FieldPlan:
        """The plan of this operation, from the cache when the text was seen before."""
        if query is None:
            return build_plan(schema, document, self.schema_map, operation_name)
        key = (query, operation_name)
        cached = self._plans.get(key)
        if cached is not None:
            self._plans.move_to_end(key)
            return cached
        built = build_plan(schema, document, self.schema_map, operation_name)
        self._plans[key] = built
        if len(self._plans) > self.maxsize:
            self._plans.popitem(last=False)
        return built
