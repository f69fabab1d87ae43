"""Benchmarks of the gateway: overhead, store scale, hot-path profile and soak.

Each is one command (``python -m benchmarks.<name>``) that writes its section of
docs/benchmarks.md; see that page for the figures and how they were measured.
"""
