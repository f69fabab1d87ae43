"""The gateway's one YAML file, checked completely before the port opens.

Loading goes in three steps: read the YAML, expand ``${VAR}`` and
``${VAR:-default}`` in string values, then validate with pydantic, each
channel's ``settings`` block by the model of the adapter that channel names.
Every problem found is reported at once in a :class:`ConfigError` naming the
file, the channel (index and id) and the field path; values are never echoed,
since they may be secrets.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Self

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from gateway.adapter import AdapterSettings, ChannelAdapter
from gateway.ops.settings import LimitsConfig, OpsConfig
from gateway.plugins import PluginError, load_adapter

MIB = 1024 * 1024
DEFAULT_MAX_BODY_BYTES = 16 * MIB

# Where a value is in the file: keys and list indexes, outermost first.
Loc = tuple[int | str, ...]
AdapterLoader = Callable[[str], type[ChannelAdapter]]  # type: ignore[type-arg]


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` lists each reason, one line each."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{source}: invalid configuration:\n{lines}")


# --- the file's models -----------------------------------------------------


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerConfig(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    # Normalised to "" or "/segment[/segment...]": leading slash, no trailing slash.
    base_path: str = ""
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, gt=0)

    @field_validator("base_path")
    @classmethod
    def _normalise_base_path(cls, value: str) -> str:
        segments = [segment for segment in value.strip().split("/") if segment]
        return "".join(f"/{segment}" for segment in segments)


class LoggingConfig(_Section):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["json", "console"] = "json"

    @field_validator("level", "format", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value


class ChannelConfig(_Section):
    """One RetailOps channel as written in the file; ``settings`` is checked later."""

    id: int | None = None
    default: bool = False
    auth_token: SecretStr
    accept_test_key: bool = False
    adapter: str = Field(min_length=1)
    settings: dict[str, Any] = Field(default_factory=dict)
    # Keys of the top-level `limits` section this channel sets otherwise.
    limits: dict[str, Any] = Field(default_factory=dict)

    @field_validator("auth_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty (`retailops-gateway auth-key` makes one)")
        return value

    @model_validator(mode="after")
    def _id_or_default(self) -> Self:
        if (self.id is not None) == self.default:
            raise ValueError("needs exactly one of: id (the RetailOps channel id) or default: true")
        return self


class FileConfig(_Section):
    server: ServerConfig = Field(default_factory=ServerConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    channels: list[ChannelConfig] = Field(min_length=1)
    ops: OpsConfig = Field(default_factory=OpsConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)


# --- the loaded configuration the app runs on ------------------------------


@dataclass(frozen=True, slots=True)
class Channel:
    """A channel ready to serve: its adapter class found and its settings validated."""

    index: int
    id: int | None  # None for the default channel, which serves any id
    auth_token: SecretStr
    accept_test_key: bool
    adapter_name: str
    adapter_class: type[ChannelAdapter]  # type: ignore[type-arg]
    settings: AdapterSettings
    limits: LimitsConfig = field(default_factory=LimitsConfig)

    @property
    def label(self) -> str:
        return f"channel {self.index} ({'default' if self.id is None else f'id {self.id}'})"


@dataclass(frozen=True, slots=True)
class Config:
    source: str
    server: ServerConfig
    logging: LoggingConfig
    channels: tuple[Channel, ...]
    ops: OpsConfig = field(default_factory=OpsConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)


# --- loading ----------------------------------------------------------------


def load_config(path: str | Path, *, environ: Mapping[str, str] | None = None) -> Config:
    """Read, expand and validate the YAML file at ``path``."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, [f"cannot read the file: {exc}"]) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(source, [_describe_yaml_error(exc)]) from exc
    return parse_config(data, source=source, environ=environ)


def parse_config(
    data: Any,
    *,
    source: str = "<config>",
    environ: Mapping[str, str] | None = None,
    adapter_loader: AdapterLoader = load_adapter,
) -> Config:
    """Validate already-parsed YAML data; ``adapter_loader`` finds an adapter class by name."""
    if not isinstance(data, dict):
        raise ConfigError(source, ["the file must hold a mapping with server, logging, channels"])
    unset: list[tuple[Loc, str]] = []
    data = expand_env(data, os.environ if environ is None else environ, unset)
    if unset:
        raise ConfigError(
            source,
            [
                _describe(loc, f"environment variable {name} is not set", data)
                for loc, name in unset
            ],
        )
    problems: list[str] = []
    try:
        parsed: FileConfig | None = FileConfig.model_validate(data)
    except ValidationError as exc:
        parsed = None
        problems.extend(_describe(error["loc"], error["msg"], data) for error in exc.errors())

    # Adapter settings are checked even when other parts of the file are
    # wrong, for every channel that is valid on its own, so that one run
    # reports every problem.
    written = list(enumerate(parsed.channels)) if parsed else _valid_channels(data)
    if parsed:
        problems.extend(_duplicate_channels(parsed.channels))
    channels: list[Channel] = []
    for index, channel in written:
        where = _channel_label(index, channel.id, channel.default)
        try:
            adapter_class = adapter_loader(channel.adapter)
        except PluginError as exc:
            problems.append(f"{where}: adapter: {exc}")
            continue
        try:
            settings = adapter_class.Settings.model_validate(channel.settings)
        except ValidationError as exc:
            problems.extend(
                f"{where}: {_path(('settings', *error['loc']))}: {error['msg']} "
                f"(adapter {channel.adapter!r})"
                for error in exc.errors()
            )
            continue
        except Exception as exc:  # a plugin's own validator can raise anything
            problems.append(
                f"{where}: settings: adapter {channel.adapter!r} failed to read them: "
                f"{type(exc).__name__}: {exc}"
            )
            continue
        shared_limits = parsed.limits if parsed else LimitsConfig()
        try:
            limits = LimitsConfig.model_validate({**shared_limits.model_dump(), **channel.limits})
        except ValidationError as exc:
            problems.extend(
                f"{where}: {_path(('limits', *error['loc']))}: {error['msg']}"
                for error in exc.errors()
            )
            continue
        channels.append(
            Channel(
                index=index,
                id=channel.id,
                auth_token=channel.auth_token,
                accept_test_key=channel.accept_test_key,
                adapter_name=channel.adapter,
                adapter_class=adapter_class,
                settings=settings,
                limits=limits,
            )
        )
    if problems or parsed is None:
        raise ConfigError(source, problems)
    return Config(source, parsed.server, parsed.logging, tuple(channels), parsed.ops, parsed.limits)


# ${NAME} or ${NAME:-default}; the default may be empty and may not contain "}".
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def expand_env(
    value: Any, environ: Mapping[str, str], unset: list[tuple[Loc, str]], loc: Loc = ()
) -> Any:
    """Expand environment references in every string value (not keys) of ``value``.

    A reference to an unset variable without a default appends to ``unset``
    where it is used and the variable's name. As in the shell,
    ``${VAR:-default}`` also uses the default when VAR is set but empty.
    """
    if isinstance(value, dict):
        return {key: expand_env(item, environ, unset, (*loc, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [expand_env(item, environ, unset, (*loc, i)) for i, item in enumerate(value)]
    if not isinstance(value, str) or "${" not in value:
        return value

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        found = environ.get(name)
        if found:
            return found
        if default is not None:
            return default
        if found is None:
            unset.append((loc, name))
        return ""

    return _ENV_REFERENCE.sub(substitute, value)


# --- error messages ---------------------------------------------------------


def _valid_channels(data: dict[str, Any]) -> list[tuple[int, ChannelConfig]]:
    """The channel entries that are valid on their own, with their index."""
    raw_channels = data.get("channels")
    valid: list[tuple[int, ChannelConfig]] = []
    for index, raw in enumerate(raw_channels if isinstance(raw_channels, list) else []):
        try:
            valid.append((index, ChannelConfig.model_validate(raw)))
        except ValidationError:
            continue  # already reported by the validation of the whole file
    return valid


def _duplicate_channels(channels: list[ChannelConfig]) -> list[str]:
    problems: list[str] = []
    first_index: dict[int, int] = {}
    default_index: int | None = None
    for index, channel in enumerate(channels):
        where = _channel_label(index, channel.id, channel.default)
        if channel.default:
            if default_index is not None:
                problems.append(
                    f"{where}: default: only one default channel is allowed "
                    f"(channel {default_index} is already the default)"
                )
            else:
                default_index = index
        elif channel.id is not None:
            if channel.id in first_index:
                problems.append(
                    f"{where}: id: duplicate channel id {channel.id} "
                    f"(also channel {first_index[channel.id]})"
                )
            else:
                first_index[channel.id] = index
    return problems


def _channel_label(index: int, channel_id: Any, default: Any) -> str:
    if default is True:
        return f"channel {index} (default)"
    # Only a well-formed id is shown: anything else may be a misplaced secret.
    if isinstance(channel_id, int) and not isinstance(channel_id, bool):
        return f"channel {index} (id {channel_id})"
    return f"channel {index}"


def _describe(loc: Loc, message: str, data: dict[str, Any]) -> str:
    """A problem as ``<where>: <field path>: <message>``, the value never echoed."""
    message = message.removeprefix("Value error, ")
    if len(loc) >= 2 and loc[0] == "channels" and isinstance(loc[1], int):
        raw_channels = data.get("channels")
        raw = raw_channels[loc[1]] if isinstance(raw_channels, list) else None
        raw = raw if isinstance(raw, dict) else {}
        where = _channel_label(loc[1], raw.get("id"), raw.get("default"))
        field = _path(loc[2:])
        return f"{where}: {field}: {message}" if field else f"{where}: {message}"
    return f"{_path(loc) or '<top level>'}: {message}"


def _path(loc: Loc) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


def _describe_yaml_error(exc: yaml.YAMLError) -> str:
    # Only the problem and its position: the YAML library's own message quotes
    # the surrounding text, which may hold a token.
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"not valid YAML: {exc.problem} (line {mark.line + 1}, column {mark.column + 1})"
    return "not valid YAML"
