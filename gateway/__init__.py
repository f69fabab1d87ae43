"""retailops-gateway: be a RetailOps sales channel for the storefront you already run.

The public surface for adapter authors is re-exported here; everything else is
an implementation detail of the gateway.
"""

from gateway.adapter import (
    INTERFACE_VERSION,
    AdapterSettings,
    BackendUnavailable,
    ChannelAdapter,
)
from gateway.upstream import RetryableError, RetrySettings, call_with_retries, throttle_wait

__version__ = "0.1.0"

__all__ = [
    "INTERFACE_VERSION",
    "AdapterSettings",
    "BackendUnavailable",
    "ChannelAdapter",
    "RetrySettings",
    "RetryableError",
    "__version__",
    "call_with_retries",
    "throttle_wait",
]
