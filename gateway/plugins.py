"""Adapter discovery through the ``retailops_gateway.adapters`` entry-point group.

Built-in adapters are found the same way as third-party plugins. Listing them
imports nothing; a plugin is imported only when a channel uses it (or when
asked what it implements). It is refused, with a message naming it, its entry
point and the cause, when:

- two installed distributions register the same adapter name (which one would
  serve is an accident of the install order);
- it fails to import, whatever it raises;
- it is not a :class:`ChannelAdapter` subclass, or its ``Settings`` is not an
  :class:`AdapterSettings` subclass;
- it was written for another version of the port (``interface_version``), so
  the gateway refuses it at start-up rather than at the first call.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from gateway.adapter import INTERFACE_VERSION, AdapterSettings, ChannelAdapter

ENTRY_POINT_GROUP = "retailops_gateway.adapters"


class PluginError(Exception):
    """An adapter plugin that cannot be used; the message says which and why."""


def installed_adapters() -> dict[str, EntryPoint]:
    """Every registered adapter by name, without importing any of them."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def _origin(entry_point: EntryPoint) -> str:
    dist = entry_point.dist
    return f"{entry_point.value} from {dist.name} {dist.version}" if dist else entry_point.value


def load_adapter(name: str) -> type[ChannelAdapter]:  # type: ignore[type-arg]
    """Import the adapter registered as ``name`` and check it can serve."""
    registered = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not registered:
        known = ", ".join(sorted(installed_adapters())) or "none"
        raise PluginError(f"no adapter named {name!r} is installed (installed: {known})")
    if len(registered) > 1:
        origins = "; ".join(_origin(ep) for ep in registered)
        raise PluginError(
            f"adapter {name!r} is registered more than once ({origins}): uninstall all but one"
        )
    entry_point = registered[0]
    where = f"adapter {name!r} ({_origin(entry_point)})"
    try:
        adapter_class = entry_point.load()
    except Exception as exc:  # a broken plugin can raise anything on import
        raise PluginError(f"{where} failed to import: {type(exc).__name__}: {exc}") from exc
    if not (isinstance(adapter_class, type) and issubclass(adapter_class, ChannelAdapter)):
        raise PluginError(f"{where} is not a ChannelAdapter subclass")
    version = getattr(adapter_class, "interface_version", None)
    if version != INTERFACE_VERSION:
        raise PluginError(
            f"{where} was written for adapter interface version {version}, "
            f"this gateway provides version {INTERFACE_VERSION}"
        )
    settings = adapter_class.Settings
    if not (isinstance(settings, type) and issubclass(settings, AdapterSettings)):
        raise PluginError(f"{where}: its Settings is not an AdapterSettings subclass")
    return adapter_class
