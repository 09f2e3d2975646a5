"""Process settings: endpoints, signer secrets, ledger, metrics, logging, dry-run.

Why: everything that differs between deployments, and every secret, lives here rather than in
policies. Sources, highest first: keyword arguments (the CLI), environment variables
(``CORETIME_AGENT_*``, nested with ``__``), a ``.env`` file, a TOML settings file
(``--settings`` or ``CORETIME_AGENT_SETTINGS_FILE``), then defaults. Read once in the CLI and
passed down as values; the rooms never import this module.

Signer secrets: ``signers.<name>.secret`` (a URI like ``//Alice``, a mnemonic or a 0x seed) or
``signers.<name>.secret_file``; for names with dashes, ``CORETIME_AGENT_SIGNER_<NAME>`` with the
name upper-cased and dashes as underscores (and ``..._FILE`` for a path) also works.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from agent.errors import SettingsError
from agent.model.money import Token
from agent.model.network import Network, NetworkRegistry
from agent.model.port import ProxySpec, SignerSpec

ENV_PREFIX = "CORETIME_AGENT_"
DEFAULT_STATE_DIR = Path(".coretime-agent")


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NetworkEndpoints(_Section):
    coretime: list[str] = Field(default_factory=list)
    """WebSocket URLs of Coretime chain nodes, tried in order (fail-over)."""
    relay: list[str] = Field(default_factory=list)
    parachains: dict[int, list[str]] = Field(default_factory=dict)
    """Optional: the parachains' own nodes (pending extrinsics, sudo XCM path)."""
    window_blocks: int = Field(default=1, ge=1, le=10_000)
    """Coretime-chain blocks per tick (the block window)."""


class CustomNetwork(_Section):
    name: str
    symbol: str
    decimals: int = Field(ge=0, le=24)
    ss58_prefix: int = Field(ge=0, le=16383)
    relay_ss58_prefix: int | None = None
    coretime_para_id: int = 1005

    def to_network(self) -> Network:
        return Network(
            self.name,
            Token(self.symbol, self.decimals),
            ss58_prefix=self.ss58_prefix,
            relay_ss58_prefix=self.ss58_prefix
            if self.relay_ss58_prefix is None
            else self.relay_ss58_prefix,
            coretime_para_id=self.coretime_para_id,
        )


class SignerSettings(_Section):
    secret: SecretStr | None = None
    secret_file: Path | None = None
    proxy_real: str | None = None
    """Act for this account through Proxy.proxy (the signer is its proxy)."""
    proxy_type: str | None = None
    """e.g. CoretimeRenewer or Broker."""


class WebhookSettings(_Section):
    url: SecretStr
    """Often carries a token, so it is a secret."""
    timeout_seconds: float = 5.0
    max_attempts: int = Field(default=3, ge=1, le=10)


class AgentSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_file=".env",
        extra="forbid",
        frozen=True,
    )

    settings_file: Path | None = None
    """A TOML file with these settings (its values rank below the environment)."""
    policies: Path = Path("policies")
    templates: Path | None = None
    """A folder of XCM templates overriding the built-in ones."""
    endpoints: dict[str, NetworkEndpoints] = Field(default_factory=dict)
    networks: list[CustomNetwork] = Field(default_factory=list)
    signers: dict[str, SignerSettings] = Field(default_factory=dict)
    webhooks: dict[str, WebhookSettings] = Field(default_factory=dict)
    state_dir: Path = DEFAULT_STATE_DIR
    """Metadata cache, lock file and the default SQLite ledger live here."""
    ledger_url: str | None = None
    """SQLAlchemy URL; default: SQLite at <state_dir>/ledger.sqlite."""
    metrics_address: str = "127.0.0.1:9477"
    log_format: LogFormat = LogFormat.TEXT
    log_level: str = "INFO"
    dry_run: bool = False
    rpc_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    leader_lease_seconds: int = Field(default=30, ge=5, le=3600)

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("log_level is one of DEBUG, INFO, WARNING, ERROR")
        return level

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings, dotenv_settings]
        toml_path = _settings_file_from(init_settings) or os.environ.get(
            ENV_PREFIX + "SETTINGS_FILE"
        )
        if toml_path:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(toml_path)))
        return tuple(sources)

    # -- derived values, passed down to the rooms -------------------------------------------

    @property
    def ledger(self) -> str:
        return self.ledger_url or f"sqlite:///{self.state_dir / 'ledger.sqlite'}"

    def network_registry(self) -> NetworkRegistry:
        try:
            return NetworkRegistry.with_custom(n.to_network() for n in self.networks)
        except ValueError as exc:
            raise SettingsError(str(exc), hint="rename the custom network") from None

    def signer(self, name: str) -> SignerSpec:
        """Resolve a policy's signer name to its secret; the error never shows a secret."""
        conf = self.signers.get(name, SignerSettings())
        env_key = ENV_PREFIX + "SIGNER_" + name.upper().replace("-", "_")
        secret: str | None = conf.secret.get_secret_value() if conf.secret else None
        secret_file = conf.secret_file or _path_or_none(os.environ.get(env_key + "_FILE"))
        if secret is None:
            secret = os.environ.get(env_key)
        if secret is None and secret_file is not None:
            try:
                secret = secret_file.read_text().strip()
            except OSError as exc:
                raise SettingsError(
                    f"signer '{name}': cannot read its secret file {secret_file}: {exc.strerror}"
                ) from None
        if not secret:
            raise SettingsError(
                f"signer '{name}' has no secret",
                hint=f"set {env_key} or {env_key}_FILE, or signers.{name}.secret in settings",
            )
        proxy = ProxySpec(conf.proxy_real, conf.proxy_type) if conf.proxy_real else None
        return SignerSpec(name, SecretStr(secret), proxy)


def _path_or_none(value: str | None) -> Path | None:
    return Path(value) if value else None


def _settings_file_from(source: PydanticBaseSettingsSource) -> str | None:
    try:
        data: dict[str, Any] = source()
    except Exception:  # pragma: no cover - init settings never fail to read
        return None
    value = data.get("settings_file")
    return str(value) if value else None


def load_settings(**overrides: Any) -> AgentSettings:
    """Build settings, turning pydantic's errors into one readable `SettingsError`."""
    try:
        return AgentSettings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        lines = [
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors(include_input=False)
        ]
        raise SettingsError(
            "invalid settings: " + "; ".join(lines),
            hint=f"check {ENV_PREFIX}* variables, .env and the settings file",
        ) from None
    except (OSError, ValueError) as exc:
        raise SettingsError(f"cannot read settings: {exc}") from None
