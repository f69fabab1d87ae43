"""Every GraphQL document of the adapter, checked statically against Shopify's schema."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, TypeInfo, TypeInfoVisitor, Visitor, parse, validate, visit

from adapters.shopify import documents
from tests.shopify.fake_shopify import load_schema, schema_file

DOCUMENTS = {
    name: text
    for name, text in vars(documents).items()
    if name.isupper() and isinstance(text, str) and not name.startswith("_")
}
DOCUMENTS["tags_add_document(50)"] = documents.tags_add_document(documents.TAGS_PER_REQUEST)


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    if not schema_file().is_file():
        pytest.skip(f"Shopify's schema not found at {schema_file()}: Shopify tests need it")
    return load_schema()


def deprecated_uses(schema: GraphQLSchema, text: str) -> list[str]:
    info = TypeInfo(schema)
    found: list[str] = []

    class FindDeprecated(Visitor):
        def enter_field(self, node, *_):  # type: ignore[no-untyped-def]
            field = info.get_field_def()
            if field is not None and field.deprecation_reason:
                found.append(f"field {node.name.value}")

        def enter_argument(self, node, *_):  # type: ignore[no-untyped-def]
            argument = info.get_argument()
            if argument is not None and argument.deprecation_reason:
                found.append(f"argument {node.name.value}")

    visit(parse(text), TypeInfoVisitor(info, FindDeprecated()))
    return found


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_is_valid_and_uses_nothing_deprecated(schema: GraphQLSchema, name: str) -> None:
    text = DOCUMENTS[name]
    assert [e.message for e in validate(schema, parse(text))] == []
    assert deprecated_uses(schema, text) == []
