"""The built-in adapters, each registered in the ``retailops_gateway.adapters`` entry-point group."""
