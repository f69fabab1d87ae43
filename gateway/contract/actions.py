"""The registry of the 11 channel calls: name, request model, response model."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.contract import requests as rq
from gateway.contract import responses as rs
from gateway.contract.base import ResponseModel
from gateway.contract.events import make_event


@dataclass(frozen=True, slots=True)
class Action:
    """One channel call: ``POST {base_path}/{name}_v1``."""

    name: str
    summary: str
    request: type[rq.BaseRequest]
    response: type[ResponseModel]

    @property
    def path(self) -> str:
        return f"/{self.name}_v1"


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            "catalog_get_config",
            "Tell RetailOps how the channel fans out SKUs.",
            rq.CatalogGetConfigRequest,
            rs.CatalogGetConfigResponse,
        ),
        Action(
            "catalog_push",
            "Receive products from the RetailOps catalog feed.",
            rq.CatalogPushRequest,
            rs.CatalogPushResponse,
        ),
        Action(
            "inventory_push",
            "Receive stock levels by SKU.",
            rq.InventoryPushRequest,
            rs.InventoryPushResponse,
        ),
        Action(
            "order_pull",
            "Offer new, unacknowledged orders, a page at a time.",
            rq.OrderPullRequest,
            rs.OrderPullResponse,
        ),
        Action(
            "order_acknowledge",
            "Mark orders as imported into RetailOps.",
            rq.OrderAcknowledgeRequest,
            rs.OrderAcknowledgeResponse,
        ),
        Action(
            "order_update",
            "Apply RetailOps edits to an order's items.",
            rq.OrderUpdateRequest,
            rs.OrderUpdateResponse,
        ),
        Action("order_cancel", "Cancel an order.", rq.OrderCancelRequest, rs.OrderCancelResponse),
        Action(
            "order_shipment_submit",
            "Record a shipment with its packages and tracking.",
            rq.OrderShipmentSubmitRequest,
            rs.OrderShipmentSubmitResponse,
        ),
        Action(
            "order_complete",
            "Close an order RetailOps has finished.",
            rq.OrderCompleteRequest,
            rs.OrderCompleteResponse,
        ),
        Action(
            "order_settle_payment",
            "Capture an order's authorised payment.",
            rq.OrderSettlePaymentRequest,
            rs.OrderSettlePaymentResponse,
        ),
        Action(
            "order_returned", "Refund a return.", rq.OrderReturnedRequest, rs.OrderReturnedResponse
        ),
    )
}

UNSUPPORTED_ACTION = "UNSUPPORTED_ACTION"


def unsupported_response(action: Action, adapter_name: str) -> ResponseModel:
    """A contract-valid answer saying this channel does not implement ``action``."""
    event = make_event(
        "error",
        UNSUPPORTED_ACTION,
        f"The {adapter_name} adapter does not implement {action.name}.",
    )
    fields: dict[str, object] = {"events": [event]}
    if "status" in action.response.model_fields:
        fields["status"] = "fail"
    return action.response.model_validate(fields)


def dump_response(response: ResponseModel) -> bytes:
    """Serialise an answer the one way the gateway does: JSON, nulls left out, aliases used."""
    return response.__pydantic_serializer__.to_json(response, exclude_none=True, by_alias=True)
