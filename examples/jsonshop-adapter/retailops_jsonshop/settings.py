"""The settings block of a channel that uses the jsonshop adapter."""

from __future__ import annotations

from gateway import AdapterSettings, RetrySettings
from pydantic import Field, SecretStr


class JsonShopSettings(AdapterSettings):
    """How to reach one JSON Shop; unknown keys are refused at start-up."""

    base_url: str = Field(description="The shop's API root, e.g. https://shop.example/api/v1")
    # SecretStr keeps the key out of logs, errors and reprs.
    api_key: SecretStr = Field(description="Sent as X-Api-Key; set it from an environment variable")
    page_size: int = Field(default=50, ge=1, le=100, description="Orders per order_pull page")
    timeout: float = Field(default=10.0, gt=0, description="Seconds for one API call")
    retry: RetrySettings = Field(default_factory=RetrySettings)
