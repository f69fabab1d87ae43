"""Base classes shared by every contract model.

Requests are lenient (unknown fields are accepted and dropped, never echoed),
responses are strict (an unknown field is a programming error, caught at once).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

CurrencyCode = Literal[
    "AUD", "CAD", "CHF", "EUR", "GBP", "HKD", "JPY", "MXN", "NZD", "PLN", "SGD", "USD"
]
PaymentProcessingType = Literal[
    "channel_payment", "channel_storecredit", "channel_giftcert", "authorize.net"
]

# The longest `page_token` the newest contract lets RetailOps send back.
PAGE_TOKEN_MAX_LENGTH = 35
# The most orders one `order_pull` answer may carry.
ORDERS_PER_PAGE_MAX = 100
# The most tags one pulled order may carry.
TAGS_MAX = 100

PageToken = Annotated[str, Field(max_length=PAGE_TOKEN_MAX_LENGTH)]


class RequestModel(BaseModel):
    """A model of something RetailOps sends: extra fields are ignored.

    Numbers must be finite: JSON has no NaN or infinity, but the parser accepts the
    literals (and reads 1e400 as infinity), and a NaN amount passes every comparison
    an adapter could make to refuse it.
    """

    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class ResponseModel(BaseModel):
    """A model of something the gateway answers: only contract fields, checked on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
