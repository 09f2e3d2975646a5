"""The policy language v1: ``apiVersion: coretime-agent/v1``, ``kind: CoretimePolicy``.

Why: a policy is the contract between a parachain team and the agent, kept in Git and checked in
CI. Every key is typed, unknown keys are errors, money is exact planck of the policy's network.
Validation needs the network registry in the pydantic context (``{"networks": registry}``) so
``150 DOT`` can be checked against the network's token; `agent.policy` supplies it.

Cross-field rules (a deadline after the start, a cap that fits the budget, ...) live in
`agent.policy.checks`, where they can name the exact field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic.alias_generators import to_camel

from agent.model.money import (
    PERBILL,
    Amount,
    AmountError,
    Token,
    format_amount,
    format_percent,
    parse_amount,
    parse_percent,
)
from agent.model.network import Network, NetworkRegistry

API_VERSION = "coretime-agent/v1"
KIND = "CoretimePolicy"
_UNKNOWN_TOKEN = Token("?", 0)


def _context_token(info: ValidationInfo) -> Token | None:
    ctx = info.context or {}
    token = ctx.get("token")
    return token if isinstance(token, Token) else None


def _validate_amount(value: Any, info: ValidationInfo) -> Amount:
    if isinstance(value, Amount):
        return value
    token = _context_token(info)
    if token is None:
        # The network itself is wrong or missing; that error is reported on `spec.network`.
        return Amount(0, _UNKNOWN_TOKEN)
    try:
        return parse_amount(value, token)
    except AmountError as exc:
        raise ValueError(str(exc)) from None


def _serialize_amount(value: Amount) -> str:
    return format_amount(value.planck, value.token)


PolicyAmount = Annotated[
    Amount,
    PlainValidator(_validate_amount),
    PlainSerializer(_serialize_amount, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*[0-9][0-9_]*(\.[0-9_]*)?\s*[A-Za-z]{2,10}\s*$"},
                {"type": "integer", "minimum": 0},
            ],
            "description": "An exact amount: '150 DOT', '0.25 KSM', or an integer of planck.",
        }
    ),
]


def _percent_validator(maximum: int) -> Any:
    def validate(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            raise ValueError(f"write percentages with a % sign, like '{value}%'")
        try:
            return parse_percent(value, maximum_perbill=maximum)
        except AmountError as exc:
            raise ValueError(str(exc)) from None

    return PlainValidator(validate)


_PERCENT_SCHEMA = WithJsonSchema(
    {"type": "string", "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*%\s*$", "description": "e.g. '5%'"}
)
Percent = Annotated[
    int,
    _percent_validator(PERBILL),
    PlainSerializer(format_percent, return_type=str),
    _PERCENT_SCHEMA,
]
"""0% to 100%, held as parts per billion."""
Increase = Annotated[
    int,
    _percent_validator(10 * PERBILL),
    PlainSerializer(format_percent, return_type=str),
    _PERCENT_SCHEMA,
]
"""0% to 1000%: an allowed rise over the last price paid."""


class PeriodKind(StrEnum):
    SALE = "sale"
    ROLLING = "rolling"
    MONTH = "month"
    TOTAL = "total"


@dataclass(frozen=True, slots=True)
class BudgetPeriod:
    """A budget window: one bulk sale, a rolling duration, a calendar month (UTC) or all time."""

    kind: PeriodKind
    seconds: int = 0
    """Length of a rolling window; 0 for the other kinds."""

    def __str__(self) -> str:
        if self.kind is not PeriodKind.ROLLING:
            return self.kind.value
        if self.seconds % 86400 == 0:
            return f"{self.seconds // 86400}d"
        return f"{self.seconds // 3600}h"


_ROLLING = re.compile(r"^(?P<n>[1-9][0-9]{0,4})(?P<unit>[hd])$")


def parse_period(value: Any) -> BudgetPeriod:
    if isinstance(value, BudgetPeriod):
        return value
    if not isinstance(value, str):
        raise ValueError("a period is 'sale', 'month', 'total' or a duration like '30d' or '12h'")
    text = value.strip()
    if text in ("sale", "month", "total"):
        return BudgetPeriod(PeriodKind(text))
    match = _ROLLING.match(text)
    if not match:
        raise ValueError(
            f"'{value}' is not a period; use 'sale', 'month', 'total' or a duration like '30d'"
        )
    n, unit = int(match.group("n")), match.group("unit")
    seconds = n * (86400 if unit == "d" else 3600)
    if seconds > 3660 * 86400:
        raise ValueError(f"'{value}' is longer than ten years; use 'total' instead")
    return BudgetPeriod(PeriodKind.ROLLING, seconds)


PolicyPeriod = Annotated[
    BudgetPeriod,
    PlainValidator(parse_period),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(sale|month|total|[1-9][0-9]{0,4}[hd])$",
            "description": "'sale', 'month' (calendar, UTC), 'total', or a rolling '30d' / '12h'",
        }
    ),
]

Name = Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
"""Lower-case letters, digits and '-', like a Kubernetes name. (No field description here: it
would hide the docstring of every field that uses the type.)"""


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        strict=False,
        use_attribute_docstrings=True,
    )


class Metadata(_Strict):
    name: Name
    """Unique among all loaded policies; part of every ledger record. Lower-case letters, digits
    and '-'."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Free-form labels, copied to metrics and notifications."""


class RenewalSpec(_Strict):
    """Renew the para's bulk core in every sale where it holds a renewal right."""

    enabled: bool = True
    start_after: Percent = parse_percent("5%")
    """How far into the interlude to wait, leaving room for on-chain auto-renewals."""
    deadline: Percent = parse_percent("80%")
    """Share of the interlude by which the renewal must be done; past it the agent alerts."""
    max_price: PolicyAmount | None = None
    """Never renew above this price."""
    max_increase: Increase | None = None
    """Never renew at more than this rise over the last price paid."""


class SubmitPath(StrEnum):
    SUDO = "sudo"
    EXPORT = "export"


class XcmVersionChoice(StrEnum):
    AUTO = "auto"
    V3 = "3"
    V4 = "4"
    V5 = "5"


class FundingSpec(_Strict):
    """Keep the para's sibling account on the Coretime chain able to pay its auto-renewal."""

    check: bool = True
    """Alert when the account is short of the next renewal price + existential deposit + fees."""
    top_up: bool = False
    """Transfer the shortfall from the agent's funded account (counted against the budget)."""
    margin: Percent = parse_percent("10%")
    """Extra kept above the next renewal price."""
    max_top_up: PolicyAmount | None = None
    """The largest single top-up transfer."""


class AutoRenewSpec(_Strict):
    """Keep the Broker's on-chain auto-renewal enabled for this para, through XCM."""

    manage: bool = False
    """true: enable it and keep it enabled; false: leave it alone."""
    desired: bool = True
    """false with manage: true disables it (disable_auto_renew)."""
    submit: SubmitPath = SubmitPath.EXPORT
    """sudo: the parachain's sudo key sends the XCM; export: write the call for governance."""
    signer: Name | None = None
    """Signer name for the parachain's sudo key (defaults to spec.signer)."""
    xcm_version: Annotated[
        XcmVersionChoice,
        WithJsonSchema(
            {"enum": ["auto", "3", "4", "5", 3, 4, 5], "description": "auto, or an XCM version"}
        ),
    ] = XcmVersionChoice.AUTO
    """XCM version of the program sent to the Coretime chain; auto: detected at connect time."""
    template: str | None = None
    """A template name under the template folder, instead of the built-in one."""
    weight_margin: Percent = parse_percent("20%")
    """Added to the estimated Transact weight."""
    fee: PolicyAmount | None = None
    """Fee withdrawn for execution on the Coretime chain; estimated when absent."""
    funding: FundingSpec = Field(default_factory=FundingSpec)

    @field_validator("xcm_version", mode="before")
    @classmethod
    def _version_number(cls, value: Any) -> Any:
        # YAML reads `xcmVersion: 4` as an integer; the choice is spelled as text.
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value


class PurchaseWhen(StrEnum):
    FIXED_PRICE = "fixed-price"
    BELOW_TARGET = "below-target"
    AT_OR_BELOW = "at-or-below"
    ANY_TIME = "any-time"


class PurchaseSpec(_Strict):
    """Buy bulk coretime when the para has no renewal right and no core for the coming region."""

    enabled: bool = False
    cores: int = Field(default=1, ge=1, le=16)
    """How many whole cores the para wants."""
    max_price: PolicyAmount | None = None
    """Price limit for one core; required when enabled."""
    when: PurchaseWhen = PurchaseWhen.FIXED_PRICE
    """fixed-price: wait for the lead-in to end; below-target: buy once the price falls below
    the sale's target; at-or-below: buy once the price is at or below `atOrBelow`; any-time."""
    at_or_below: PolicyAmount | None = None
    assign_before: Percent = parse_percent("50%")
    """Assign the region Final once this share of the time before the region begins has passed
    (never later than the advance notice, or the renewal right is lost)."""


class OnDemandOnly(StrEnum):
    WITHOUT_BULK = "without-bulk"
    ALWAYS = "always"


class TriggerSpec(_Strict):
    pending_extrinsics: int | None = Field(default=None, ge=1)
    """Order when the parachain's pool holds at least this many extrinsics."""
    max_idle_relay_blocks: int | None = Field(default=None, ge=1, le=100_000)
    """Order when the para has made no block for this many relay blocks."""


class OnDemandSpec(_Strict):
    """Order on-demand blocks on the relay when the para has no bulk core."""

    enabled: bool = False
    only: OnDemandOnly = OnDemandOnly.WITHOUT_BULK
    trigger: TriggerSpec = Field(default_factory=TriggerSpec)
    max_spot_price: PolicyAmount | None = None
    """The order's max_amount; required when enabled."""
    max_orders_per_hour: int = Field(default=60, ge=1, le=600)
    keep_alive: bool = True
    """Use place_order_keep_alive so the payer is never reaped."""


class BudgetLimit(_Strict):
    period: PolicyPeriod
    amount: PolicyAmount


class BudgetSpec(_Strict):
    limits: list[BudgetLimit] = Field(default_factory=list, max_length=16)
    alert_at: Percent = parse_percent("80%")
    """Alert when spent + reserved passes this share of a limit."""


class NotifyEvent(StrEnum):
    ALERT = "alert"
    ACTION_FAILED = "action-failed"
    ACTION_SUCCEEDED = "action-succeeded"


class NotificationsSpec(_Strict):
    channels: list[Name] = Field(default_factory=list)
    """Names of webhook channels defined in settings (URLs may hold tokens, so not here)."""
    on: list[NotifyEvent] = Field(
        default_factory=lambda: [NotifyEvent.ALERT, NotifyEvent.ACTION_FAILED]
    )


class PolicySpec(_Strict):
    network: str
    """A preset (polkadot, kusama, westend, paseo) or a custom network from settings."""
    para_id: int = Field(ge=1, le=2**32 - 1)
    renewal: RenewalSpec = Field(default_factory=lambda: RenewalSpec(enabled=False))
    auto_renew: AutoRenewSpec = Field(default_factory=AutoRenewSpec)
    purchase: PurchaseSpec = Field(default_factory=PurchaseSpec)
    on_demand: OnDemandSpec = Field(default_factory=OnDemandSpec)
    budget: BudgetSpec = Field(default_factory=BudgetSpec)
    signer: Name
    """Name of a signer from settings; the secret never appears in a policy."""
    notifications: NotificationsSpec = Field(default_factory=NotificationsSpec)

    @field_validator("network")
    @classmethod
    def _known_network(cls, value: str, info: ValidationInfo) -> str:
        ctx = info.context or {}
        registry = ctx.get("networks")
        if isinstance(registry, NetworkRegistry) and registry.get(value) is None:
            raise ValueError(
                f"unknown network '{value}'; use one of {', '.join(registry.names())} "
                "or define it under `networks` in settings"
            )
        return value


class CoretimePolicy(_Strict):
    api_version: Literal["coretime-agent/v1"]
    kind: Literal["CoretimePolicy"]
    metadata: Metadata
    spec: PolicySpec


@dataclass(frozen=True, slots=True)
class LoadedPolicy:
    """A validated policy with its resolved network and where it came from."""

    policy: CoretimePolicy
    network: Network
    source: str
    """File the policy was read from (with the document index for multi-document files)."""
    digest: str
    """sha256 of the policy's canonical JSON: shows in `plan` and the ledger which text acted."""

    @property
    def name(self) -> str:
        return self.policy.metadata.name

    @property
    def para_id(self) -> int:
        return self.policy.spec.para_id


@dataclass(frozen=True, slots=True)
class PolicySet:
    """The policies the agent runs with; replaced whole on a valid reload, never emptied by a bad one."""

    policies: tuple[LoadedPolicy, ...] = ()

    def by_name(self, name: str) -> LoadedPolicy | None:
        return next((p for p in self.policies if p.name == name), None)
