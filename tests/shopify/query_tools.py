"""Two things the fake shop needs from Shopify's rules: query cost and search syntax.

Cost follows Shopify's published calculation: scalars and enums 0, an object
1, a connection 2 plus its page of nodes (``first`` when requested, the nodes
returned when actual), a list of objects as many objects as ``first`` asks,
and each mutation field 10. The actual cost counts what the answer holds.

Search covers the subset of Shopify's query syntax the adapter writes:
``field:value`` terms (quoted values, ``>``/``>=``/``<``/``<=``), ``-``
negation, ``AND``, ``OR`` and parentheses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)
from graphql.execution.values import get_argument_values

MUTATION_COST = 10
FieldInfo = tuple[FieldNode, Any, str, dict[str, Any]]


class CostCalculator:
    """Requested (data=None) or actual (data=the answer) cost of one operation."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self._seen: dict[tuple[int, str], list[FieldInfo]] = {}

    def operation(
        self,
        selection: SelectionSetNode,
        root: GraphQLObjectType,
        *,
        mutation: bool,
        data: Any = None,
        actual: bool = False,
    ) -> int:
        total = 0
        for node, field_type, key, args in self._fields(selection, root):
            sub = data.get(key) if isinstance(data, Mapping) else None
            if mutation:
                total += MUTATION_COST + self.selection(node, field_type, sub, actual)
            else:
                total += self.field(node, field_type, args, sub, actual)
        return total

    def selection(self, node: FieldNode, type_: Any, data: Any, actual: bool) -> int:
        if node.selection_set is None:
            return 0
        return sum(
            self.field(
                child,
                child_type,
                args,
                data.get(key) if isinstance(data, Mapping) else None,
                actual,
            )
            for child, child_type, key, args in self._fields(node.selection_set, type_)
        )

    def field(
        self, node: FieldNode, field_type: Any, args: Mapping[str, Any], data: Any, actual: bool
    ) -> int:
        named = get_named_type(field_type)
        if is_leaf_type(named):
            return 0
        if actual and data is None:
            return 0
        if named.name.endswith("Connection"):
            return 2 + self._connection(node, named, args, data, actual)
        if is_list_type(get_nullable_type(field_type)):
            if actual:
                return sum(1 + self.selection(node, named, item, True) for item in data)
            return int(args.get("first") or 1) * (1 + self.selection(node, named, None, False))
        return 1 + self.selection(node, named, data, actual)

    def _connection(
        self, node: FieldNode, conn_type: Any, args: Mapping[str, Any], data: Any, actual: bool
    ) -> int:
        total = 0
        assert node.selection_set is not None
        for child, child_type, key, _ in self._fields(node.selection_set, conn_type):
            name = child.name.value
            if name not in ("nodes", "edges"):
                continue  # pageInfo and counts are free
            item_type = get_named_type(child_type)
            own = 1 if name == "nodes" else 0  # edges { node { ... } } counts the node inside
            if actual:
                total += sum(
                    own + self.selection(child, item_type, item, True)
                    for item in (data or {}).get(key) or []
                )
            else:
                first = int(args.get("first") or 0)
                total += first * (own + self.selection(child, item_type, None, False))
        return total

    def _fields(self, selection: SelectionSetNode, parent: Any) -> list[FieldInfo]:
        """(field node, field type, response key, arguments) of a selection, fragments opened.

        Worked out once per selection and type: the actual cost walks them for every item.
        """
        slot = (id(selection), parent.name)
        if slot not in self._seen:
            self._seen[slot] = list(self._open(selection, parent))
        return self._seen[slot]

    def _open(self, selection: SelectionSetNode, parent: Any) -> Iterator[FieldInfo]:
        for sel in selection.selections:
            if isinstance(sel, FieldNode):
                name = sel.name.value
                if name.startswith("__"):
                    continue
                definition = parent.fields[name]
                args = get_argument_values(definition, sel, dict(self.variables))
                key = sel.alias.value if sel.alias else name
                yield sel, definition.type, key, args
            elif isinstance(sel, InlineFragmentNode):
                target = (
                    self.schema.get_type(sel.type_condition.name.value)
                    if sel.type_condition
                    else parent
                )
                yield from self._fields(sel.selection_set, target)
            elif isinstance(sel, FragmentSpreadNode):
                fragment = self.fragments[sel.name.value]
                yield from self._fields(
                    fragment.selection_set, self.schema.get_type(fragment.type_condition.name.value)
                )


# --- search syntax ----------------------------------------------------------------

Predicate = Callable[[Any], bool]
FieldMatcher = Callable[[Any, str, str], bool]  # (item, comparator, value) -> bool

_TOKEN = re.compile(r'\s*(\(|\)|-?[A-Za-z_]+:(?:>=|<=|>|<)?(?:"(?:[^"\\]|\\.)*"|[^\s()]+)|AND|OR)')


def parse_search(query: str, matchers: Mapping[str, FieldMatcher]) -> Predicate:
    """Compile a search string into a predicate; ValueError for what Shopify would not parse."""
    tokens: list[str] = []
    position = 0
    query = query.strip()
    while position < len(query):
        match = _TOKEN.match(query, position)
        if match is None:
            raise ValueError(f"cannot parse search near {query[position : position + 20]!r}")
        tokens.append(match.group(1))
        position = match.end()
        while position < len(query) and query[position].isspace():
            position += 1
    predicate, rest = _or(tokens, matchers)
    if rest:
        raise ValueError(f"unexpected {rest[0]!r} in search")
    return predicate


def _or(tokens: list[str], matchers: Mapping[str, FieldMatcher]) -> tuple[Predicate, list[str]]:
    left, tokens = _and(tokens, matchers)
    parts = [left]
    while tokens and tokens[0] == "OR":
        right, tokens = _and(tokens[1:], matchers)
        parts.append(right)
    return (lambda item: any(p(item) for p in parts)), tokens


def _and(tokens: list[str], matchers: Mapping[str, FieldMatcher]) -> tuple[Predicate, list[str]]:
    parts: list[Predicate] = []
    while tokens and tokens[0] not in ("OR", ")"):
        if tokens[0] == "AND":
            tokens = tokens[1:]
            continue
        if tokens[0] == "(":
            inner, tokens = _or(tokens[1:], matchers)
            if not tokens or tokens[0] != ")":
                raise ValueError("unbalanced parentheses in search")
            parts.append(inner)
            tokens = tokens[1:]
        else:
            parts.append(_term(tokens[0], matchers))
            tokens = tokens[1:]
    if not parts:
        raise ValueError("empty search expression")
    return (lambda item: all(p(item) for p in parts)), tokens


def _term(token: str, matchers: Mapping[str, FieldMatcher]) -> Predicate:
    negated = token.startswith("-")
    name, _, raw = token.lstrip("-").partition(":")
    comparator = next((c for c in (">=", "<=", ">", "<") if raw.startswith(c)), "")
    value = raw[len(comparator) :]
    if value.startswith('"'):
        value = re.sub(r"\\(.)", r"\1", value[1:-1])
    matcher = matchers.get(name)
    if matcher is None:
        raise ValueError(f"unknown search field {name!r}")
    if negated:
        return lambda item: not matcher(item, comparator, value)
    return lambda item: matcher(item, comparator, value)


def compare(actual: Any, comparator: str, expected: Any) -> bool:
    return {
        "": actual == expected,
        ">": actual > expected,
        ">=": actual >= expected,
        "<": actual < expected,
        "<=": actual <= expected,
    }[comparator]
