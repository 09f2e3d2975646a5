"""The ledger's tables as the code queries them (the migrations in `migrations.py` create them).

Why: every planck the agent reserves or spends is written here before and after it acts, so a
crash, a restart or a second replica can neither pay twice nor lose track of money. Each table
and column is described below; any change to them is a new numbered migration step.

Conventions: money is planck as an exact u128 (`Planck`: NUMERIC(39,0) on PostgreSQL, decimal
text on SQLite; never a float). Times are UTC (`UtcDateTime`), always the `now` the caller
passed, never the database's or the process's clock. `mode` is ``live`` or ``dry-run`` (or any
other short name); a ledger object reads and writes only the rows of its own mode.

``schema_version`` — one row per migration step applied
    version         step number (1, 2, ...); the ledger's version is the highest
    description     what the step did
    applied_at      UTC wall time the step ran (the only clock read, outside the ledger API)

``intents`` — one row per attempt at an action, written before anything is signed
    id              surrogate key, for stable ordering of rows with equal timestamps
    mode            live / dry-run: which world the attempt belongs to
    action_id       content-derived `Action.id` (``act_`` + 24 hex)
    attempt         1 for the first try; a retry after failed/invalid/dropped adds one
    policy          policy name (metadata.name)
    para_id         the parachain the action is for
    network         network name (polkadot, kusama, a custom one)
    kind            `ActionKind` value: renew, purchase, order-on-demand, ...
    window          `Action.window`, e.g. ``sale:1234`` or ``relay:5600``
    sale            region_begin of the sale the action was taken in (sale budgets); nullable
    signer          signer *name* from the policy (never a key or secret)
    target_json     `Action.target` as canonical JSON
    call_json       ``{"chain", "pallet", "function", "args"}`` as canonical JSON, no secrets
    reason          the planner's one-line reason
    reserved_planck `Action.max_cost`: what the budget holds back while the attempt is open
    expected_planck `Action.expected_cost`, for reports; nullable
    status          open → submitted → included | failed | invalid | dropped | dry-run |
                    exported | unknown (`IntentStatus`); unknown may still be reconciled
    extrinsic_hash  0x hash once submitted; nullable
    block_hash      block the extrinsic landed in; nullable
    block_number    its number; nullable
    spent_planck    price + fee once closed (outcome.spent + outcome.fee); NULL while open
    fee_planck      the transaction fee part of spent_planck; NULL while open
    error           module error by name (``Broker.TooEarly``) or the failure class; nullable
    message         short outcome text from the submitter (at most 500 characters)
    policy_digest   sha256 of the policy text that planned the action
    created_at      when the intent was written: the time budgets count the attempt at
    updated_at      last status change
    unique (mode, action_id, attempt); indexes (mode, policy, created_at), (mode, created_at),
    (mode, status), (mode, policy, sale)

``spend_totals`` — running sum of spent_planck of closed attempts, per policy and sale
    mode, policy    as in intents
    sale_key        the intents' sale, or -1 for attempts without a sale
    spent_planck    sum of spent_planck of every closed attempt in the group, all time
    updated_at      last time the sum changed
    primary key (mode, policy, sale_key). Lets `total` and old sales be read without summing
    the whole history; updated in the same transaction that closes an attempt.

``prices_paid`` — the last price paid per policy and kind (for maxIncrease)
    mode, policy    as in intents
    kind            renew or purchase
    price_planck    outcome.spent (the price, without the fee) of the latest included attempt
    action_id       the attempt that paid it
    paid_at         its created_at; a newer row is never replaced by an older one
    primary key (mode, policy, kind)
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from agent.ledger.columns import Planck, UtcDateTime

metadata = MetaData()

NO_SALE = -1
"""`spend_totals.sale_key` for attempts without a sale (a primary key cannot be NULL)."""

MESSAGE_MAX = 500

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", String(200), nullable=False),
    Column("applied_at", UtcDateTime, nullable=False),
)

intents = Table(
    "intents",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("mode", String(32), nullable=False),
    Column("action_id", String(64), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("policy", String(63), nullable=False),
    Column("para_id", BigInteger, nullable=False),
    Column("network", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("window", String(128), nullable=False),
    Column("sale", BigInteger, nullable=True),
    Column("signer", String(63), nullable=False),
    Column("target_json", Text, nullable=False),
    Column("call_json", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("reserved_planck", Planck, nullable=False),
    Column("expected_planck", Planck, nullable=True),
    Column("status", String(16), nullable=False),
    Column("extrinsic_hash", String(80), nullable=True),
    Column("block_hash", String(80), nullable=True),
    Column("block_number", BigInteger, nullable=True),
    Column("spent_planck", Planck, nullable=True),
    Column("fee_planck", Planck, nullable=True),
    Column("error", String(128), nullable=True),
    Column("message", String(MESSAGE_MAX), nullable=False),
    Column("policy_digest", String(80), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("mode", "action_id", "attempt", name="uq_intents_attempt"),
    Index("ix_intents_policy_time", "mode", "policy", "created_at"),
    Index("ix_intents_time", "mode", "created_at"),
    Index("ix_intents_status", "mode", "status"),
    Index("ix_intents_sale", "mode", "policy", "sale"),
)

spend_totals = Table(
    "spend_totals",
    metadata,
    Column("mode", String(32), primary_key=True),
    Column("policy", String(63), primary_key=True),
    Column("sale_key", BigInteger, primary_key=True, autoincrement=False),
    Column("spent_planck", Planck, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

prices_paid = Table(
    "prices_paid",
    metadata,
    Column("mode", String(32), primary_key=True),
    Column("policy", String(63), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("price_planck", Planck, nullable=False),
    Column("action_id", String(64), nullable=False),
    Column("paid_at", UtcDateTime, nullable=False),
)
