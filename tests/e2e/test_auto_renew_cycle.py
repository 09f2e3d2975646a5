"""Managed auto-renewal against the real runtime: the agent enables it, sees it fail when the
sibling account is drained, enables it again, and the next rotation renews.

The agent's `export` path writes the call for governance; the test stands in for governance and
dispatches the exported Broker call as the para's sibling account (`Sudo.sudo_as`). The XCM
transport itself (the rendered program arriving by HRMP from the para) is proven in
tests/rendering/test_chain.py.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from agent.chain.addresses import to_ss58
from agent.model.accounts import sibling_account
from tests.support.devnet import PAS, Devnet
from tests.support.scenario import cli, renewal_right_for, write_agent_files

pytestmark = pytest.mark.chain
SIBLING = sibling_account(2000)

POLICY = textwrap.dedent("""\
    apiVersion: coretime-agent/v1
    kind: CoretimePolicy
    metadata:
      name: auto-2000
    spec:
      network: paseo
      paraId: 2000
      autoRenew:
        manage: true
        submit: export
      budget:
        limits:
          - { period: sale, amount: 5000 PAS }
      signer: renewer
    """)


def _enable_via_export(devnet: Devnet, env: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    """One agent tick; returns the exported record after dispatching it as the sibling account."""
    result = cli(env, "once", "--json")
    assert result.returncode == 0, result.stderr
    actions = json.loads(result.stdout)["actions"]
    (action,) = [a for a in actions if a["kind"] == "enable-auto-renew"]
    assert action["status"] == "exported"
    record = json.loads((tmp_path / "state" / "exports" / f"{action['id']}.json").read_text())
    inner = record["inner_call"]
    assert (inner["pallet"], inner["function"]) == ("Broker", "enable_auto_renew")
    assert record["sibling_account"]["hex"] == SIBLING
    call = devnet.call("Broker", "enable_auto_renew", inner["args"])
    assert "0x" + call.data.to_hex().removeprefix("0x") == inner["hex"]  # what governance votes on
    receipt = devnet.sudo_as(to_ss58(SIBLING, 0), call)
    names = [e.value["event"]["event_id"] for e in receipt.triggered_events]
    assert "AutoRenewalEnabled" in names, names
    return record


def _records(devnet: Devnet) -> list[dict[str, int]]:
    return [dict(r) for r in devnet.api.query("Broker", "AutoRenewals").value]


def test_enable_fail_reenable_renew(devnet: Devnet, tmp_path: Path) -> None:
    renewal_right_for(devnet, 2000)
    devnet.fund(SIBLING, 10_000 * PAS)
    env = write_agent_files(tmp_path, devnet.url, {"auto-2000": POLICY})

    _enable_via_export(devnet, env, tmp_path)
    assert [r["task"] for r in _records(devnet)] == [2000]
    quiet = json.loads(cli(env, "once", "--json").stdout)
    assert quiet["submitted"] == 0  # kept true: nothing to do while the record exists

    devnet.fund(SIBLING, 10**8)  # drained before the rotation
    events = devnet.rotate_sale()
    assert ("Broker", "AutoRenewalFailed") in [e[:2] for e in events]
    assert _records(devnet) == []

    devnet.fund(SIBLING, 10_000 * PAS)
    again = _enable_via_export(devnet, env, tmp_path)  # the agent saw it missing and re-planned
    assert again["inner_call"]["args"]["task"] == 2000
    assert [r["task"] for r in _records(devnet)] == [2000]

    before = devnet.free_balance(SIBLING)
    events = devnet.rotate_sale()
    renewed = [e for e in events if e[:2] == ("Broker", "Renewed")]
    assert renewed, [e[:2] for e in events]
    assert devnet.free_balance(SIBLING) < before  # the sibling account paid the auto-renewal
    assert [r["task"] for r in _records(devnet)] == [2000]
