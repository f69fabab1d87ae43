"""Running the gateway in production: health, metrics, request ids, limits, docs, serving."""
