"""Chain set-ups and agent configurations shared by the end-to-end tests.

`renewal_right_for(devnet, para)` leaves the real runtime in the interlude of a sale in which
`para` holds a renewal right (purchase by Bob, assign Final, rotate), the way a parachain that
bought its core last sale finds the chain.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from substrateinterface import Keypair

from tests.support.devnet import PAS, Devnet

ROOT = Path(__file__).resolve().parents[2]
RENEWER_URI = "//Charlie"


@dataclass(frozen=True)
class RenewalRight:
    core: int
    price: int
    region_begin: int  # of the sale in which the right can be used
    region_end: int


def renewal_right_for(
    devnet: Devnet, para_id: int, *, end_price: int = 100 * PAS, rotate: bool = True
) -> RenewalRight | None:
    devnet.configure_broker(interlude_length=200, leadin_length=20)
    devnet.start_sales(end_price=end_price, extra_cores=4)
    sale = devnet.sale_info()
    devnet.new_block(relay_number=sale["sale_start"] + sale["leadin_length"] + 2)
    bob = Keypair.create_from_uri("//Bob")
    receipt = devnet.submit(devnet.call("Broker", "purchase", {"price_limit": 10**20}), bob)
    assert receipt.is_success, receipt.error_message
    region = next(
        e.value["event"]["attributes"]["region_id"]
        for e in receipt.triggered_events
        if e.value["event"]["event_id"] == "Purchased"
    )
    assign = devnet.call(
        "Broker", "assign", {"region_id": region, "task": para_id, "finality": "Final"}
    )
    receipt = devnet.submit(assign, bob)
    assert receipt.is_success, receipt.error_message
    if not rotate:
        return None  # the right exists, usable once the next sale starts
    devnet.rotate_sale()
    sale = devnet.sale_info()
    rights = devnet.api.query_map("Broker", "PotentialRenewals")
    for key, value in rights:
        if key.value["when"] == sale["region_begin"]:
            return RenewalRight(
                key.value["core"],
                int(value.value["price"]),
                sale["region_begin"],
                sale["region_end"],
            )
    raise AssertionError("no PotentialRenewal after rotation")


def policy_yaml(
    name: str,
    para_id: int,
    *,
    max_price: str = "1000 PAS",
    budget: str = "5000 PAS",
    extra: str = "",
) -> str:
    return (
        textwrap.dedent(f"""\
        apiVersion: coretime-agent/v1
        kind: CoretimePolicy
        metadata:
          name: {name}
        spec:
          network: paseo
          paraId: {para_id}
          renewal:
            enabled: true
            startAfter: 0%
            deadline: 90%
            maxPrice: {max_price}
          budget:
            limits:
              - {{ period: sale, amount: {budget} }}
          signer: renewer
        """)
        + extra
    )


def write_agent_files(
    tmp: Path,
    url: str,
    policies: dict[str, str],
    *,
    ledger_url: str | None = None,
    metrics: str = "127.0.0.1:0",
) -> dict[str, str]:
    """Writes policies and a settings file; returns the environment for a CLI subprocess."""
    folder = tmp / "policies"
    folder.mkdir(exist_ok=True)
    for name, text in policies.items():
        (folder / f"{name}.yaml").write_text(text)
    ledger = ledger_url or f"sqlite:///{tmp / 'ledger.sqlite'}"
    (tmp / "agent.toml").write_text(
        textwrap.dedent(f"""\
        policies = "{folder}"
        state_dir = "{tmp / "state"}"
        ledger_url = "{ledger}"
        metrics_address = "{metrics}"
        rpc_timeout_seconds = 20

        [endpoints.paseo]
        coretime = ["{url}"]
        """)
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CORETIME_AGENT_")}
    env["CORETIME_AGENT_SETTINGS_FILE"] = str(tmp / "agent.toml")
    env["CORETIME_AGENT_SIGNER_RENEWER"] = RENEWER_URI
    return env


def cli(
    env: dict[str, str], *args: str, timeout: float = 120, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        env={**env, **extra_env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def renewed(devnet: Devnet, para_id: int, region_end: int) -> list[Any]:
    """PotentialRenewals for `para_id` that a renewal in the current sale would have created."""
    out = []
    for key, value in devnet.api.query_map("Broker", "PotentialRenewals"):
        workload = value.value["completion"].get("Complete", [])
        tasks = {
            item["assignment"].get("Task")
            for item in workload
            if isinstance(item["assignment"], dict)
        }
        if key.value["when"] == region_end and para_id in tasks:
            out.append((key.value, value.value))
    return out
