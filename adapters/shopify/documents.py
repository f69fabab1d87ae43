"""The GraphQL documents the adapter sends, written against Admin API 2026-10.

Each document is checked against Shopify's published schema by the tests.
Connection sizes are chosen so that every query's requested cost stays under
Shopify's single-query maximum of 1,000 points (see the *_COST constants).
"""

from __future__ import annotations

# Shopify's limits: a query may not request more than this many points, and an
# input list or a connection page holds at most 250 items.
MAX_QUERY_COST = 1000
MAX_ITEMS = 250

# --- shop, scopes and locations ----------------------------------------------

SHOP_CHECK = """
query ShopCheck {
  shop { name myshopifyDomain currencyCode }
  currentAppInstallation { accessScopes { handle } }
}
"""

LOCATIONS = """
query Locations {
  locations(first: 50) { nodes { id legacyResourceId name isActive } }
}
"""

# --- catalog and stock -------------------------------------------------------

# Stock look-up: 2 + first * (variant 1 + inventoryItem 1) = 502 points at 250.
INVENTORY_ITEMS_BY_SKU = """
query InventoryItemsBySku($first: Int!, $query: String!, $after: String) {
  productVariants(first: $first, query: $query, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { sku inventoryItem { id } }
  }
}
"""

# Catalog look-up, which also needs the variant's product: 752 points at 250.
VARIANTS_BY_SKU = """
query VariantsBySku($first: Int!, $query: String!, $after: String) {
  productVariants(first: $first, query: $query, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id sku product { id } inventoryItem { id } }
  }
}
"""

PRODUCT_SET = """
mutation ProductSet($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(synchronous: true, identifier: $identifier, input: $input) {
    product { id variants(first: 100) { nodes { id sku inventoryItem { id } } } }
    userErrors { field message code }
  }
}
"""
# How many variants PRODUCT_SET reads back; a larger product is refused.
PRODUCT_VARIANTS_MAX = 100

INVENTORY_SET = """
mutation InventorySet($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}
"""

# --- orders --------------------------------------------------------------------

_ORDER_FIELDS = """
fragment Money on MoneyBag { shopMoney { amount } }
fragment Address on MailingAddress {
  firstName lastName company address1 address2 city province provinceCode zip
  countryCodeV2 phone name
}
fragment OrderFields on Order {
  id legacyResourceId name createdAt currencyCode email phone tags clientIp
  billingAddress { ...Address }
  shippingAddress { ...Address }
  shippingLine { code title }
  totalShippingPriceSet { ...Money }
  totalTaxSet { ...Money }
  totalDiscountsSet { ...Money }
  transactions(first: 5) { id kind status gateway amountSet { ...Money } }
  lineItems(first: 10) {
    pageInfo { hasNextPage endCursor }
    nodes { ...LineFields }
  }
}
fragment LineFields on LineItem {
  id sku name currentQuantity
  originalUnitPriceSet { ...Money }
  totalDiscountSet { ...Money }
}
"""
# Requested cost of one order node above: order 1, two addresses 2, shipping
# line 1, three money bags 6, transactions 5 * 3, line items 2 + 10 * 5. An
# order with more line items gets the rest in follow-up ORDER_LINE_ITEMS calls.
ORDER_NODE_COST = 1 + 2 + 1 + 6 + 15 + 2 + 10 * 5
ORDERS_PER_QUERY = (MAX_QUERY_COST - 2) // ORDER_NODE_COST

ORDERS = (
    """
query Orders($first: Int!, $query: String!) {
  orders(first: $first, query: $query, sortKey: ID) {
    pageInfo { hasNextPage }
    nodes { ...OrderFields }
  }
}
"""
    + _ORDER_FIELDS
)

ORDER_LINE_ITEMS = """
query OrderLineItems($id: ID!, $after: String) {
  order(id: $id) {
    lineItems(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ...LineFields }
    }
  }
}
fragment Money on MoneyBag { shopMoney { amount } }
fragment LineFields on LineItem {
  id sku name currentQuantity
  originalUnitPriceSet { ...Money }
  totalDiscountSet { ...Money }
}
"""

# The state every write-back call checks before it changes anything.
ORDER_STATE = """
query OrderState($id: ID!, $namespace: String!, $key: String!) {
  order(id: $id) {
    id legacyResourceId closed cancelledAt displayFinancialStatus currencyCode
    metafield(namespace: $namespace, key: $key) { value }
    lineItems(first: 100) { nodes { id sku currentQuantity } }
    transactions(first: 20) {
      id kind status gateway amountSet { shopMoney { amount } } parentTransaction { id }
    }
    fulfillmentOrders(first: 5) {
      nodes {
        id status
        lineItems(first: 50) { nodes { id remainingQuantity sku lineItem { id } } }
      }
    }
    fulfillments(first: 20) { trackingInfo(first: 2) { number } }
  }
}
"""


def tags_add_document(count: int) -> str:
    """One document tagging ``count`` orders: aliased tagsAdd mutations (10 points each)."""
    variables = ", ".join(f"$id{i}: ID!" for i in range(count))
    fields = "\n".join(
        f"  o{i}: tagsAdd(id: $id{i}, tags: $tags) {{ userErrors {{ field message }} }}"
        for i in range(count)
    )
    return f"mutation TagOrders({variables}, $tags: [String!]!) {{\n{fields}\n}}\n"


# Mutations cost 10 points each; 50 of them stay well under the maximum.
TAGS_PER_REQUEST = 50

ORDER_EDIT_BEGIN = """
mutation OrderEditBegin($id: ID!) {
  orderEditBegin(id: $id) {
    calculatedOrder { id lineItems(first: 100) { nodes { id sku quantity } } }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_SET_QUANTITY = """
mutation OrderEditSetQuantity($id: ID!, $lineItemId: ID!, $quantity: Int!, $restock: Boolean) {
  orderEditSetQuantity(id: $id, lineItemId: $lineItemId, quantity: $quantity, restock: $restock) {
    calculatedLineItem { id quantity }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_COMMIT = """
mutation OrderEditCommit($id: ID!, $notifyCustomer: Boolean, $staffNote: String) {
  orderEditCommit(id: $id, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
    order { id }
    userErrors { field message }
  }
}
"""

ORDER_CANCEL = """
mutation OrderCancel(
  $orderId: ID!, $reason: OrderCancelReason!, $restock: Boolean!,
  $refundMethod: OrderCancelRefundMethodInput, $notifyCustomer: Boolean
) {
  orderCancel(
    orderId: $orderId, reason: $reason, restock: $restock, refundMethod: $refundMethod,
    notifyCustomer: $notifyCustomer
  ) {
    job { id }
    orderCancelUserErrors { field message code }
  }
}
"""

FULFILLMENT_CREATE = """
mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}
"""

METAFIELDS_SET = """
mutation MetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id }
    userErrors { field message code }
  }
}
"""

ORDER_CLOSE = """
mutation OrderClose($input: OrderCloseInput!) {
  orderClose(input: $input) {
    order { id closed }
    userErrors { field message }
  }
}
"""

ORDER_CAPTURE = """
mutation OrderCapture($input: OrderCaptureInput!) {
  orderCapture(input: $input) {
    transaction { id status }
    userErrors { field message }
  }
}
"""

REFUND_CREATE = """
mutation RefundCreate($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id }
    userErrors { field message }
  }
}
"""
