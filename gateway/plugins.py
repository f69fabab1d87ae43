"""Adapter discovery through the ``retailops_gateway.adapters`` entry-point group.

Built-in adapters are found the same way as third-party plugins. A plugin is
imported only when a channel uses it, and refused with a message naming it
when it fails to import, is not an adapter, or was written for another
version of the port.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from gateway.adapter import INTERFACE_VERSION, ChannelAdapter

ENTRY_POINT_GROUP = "retailops_gateway.adapters"


class PluginError(Exception):
    """An adapter plugin that cannot be used; the message says which and why."""


def installed_adapters() -> dict[str, EntryPoint]:
    """Every registered adapter by name, without importing any of them."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_adapter(name: str) -> type[ChannelAdapter]:  # type: ignore[type-arg]
    """Import the adapter registered as ``name`` and check it can serve."""
    available = installed_adapters()
    entry_point = available.get(name)
    if entry_point is None:
        known = ", ".join(sorted(available)) or "none"
        raise PluginError(f"no adapter named {name!r} is installed (installed: {known})")
    try:
        adapter_class = entry_point.load()
    except Exception as exc:  # a broken plugin can raise anything on import
        raise PluginError(
            f"adapter {name!r} ({entry_point.value}) failed to import: {type(exc).__name__}: {exc}"
        ) from exc
    if not (isinstance(adapter_class, type) and issubclass(adapter_class, ChannelAdapter)):
        raise PluginError(
            f"adapter {name!r} ({entry_point.value}) is not a ChannelAdapter subclass"
        )
    version = getattr(adapter_class, "interface_version", None)
    if version != INTERFACE_VERSION:
        raise PluginError(
            f"adapter {name!r} ({entry_point.value}) was written for adapter interface "
            f"version {version}, this gateway provides version {INTERFACE_VERSION}"
        )
    return adapter_class
