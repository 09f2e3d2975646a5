"""Shared inputs of the rendering tests: the seed's example (para 2000, core 48, hint 327885)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
TOP_LEVEL_TEMPLATES = ROOT / "templates" / "xcm"

SEED_CALL = "0x32153000d007000001cd000500"
"""Broker.enable_auto_renew(48, 2000, Some(327885)) on Polkadot and this devnet's runtime."""
VERSIONS = (3, 4, 5)
TOPIC = "0x" + "5e" * 32


def program_variables(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "para_id": 2000,
        "call": SEED_CALL,
        "fee": 10_000_000_000,
        "weight": {"ref_time": 1_321_256_400, "proof_size": 7_436},
        "topic": TOPIC,
    }
    values.update(overrides)
    return values
