"""Two drivers behind one small interface: the real runtime (chopsticks) and the sandbox.

Why: the conformance scenario is written once; each driver turns its steps into blocks on its
chain and reports what happened in the same normalised form (accounts as 0x hex, tuples as
lists), so the two transcripts can be compared planck for planck.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import SecretStr
from substrateinterface import Keypair

from agent.chain.addresses import to_account_id
from agent.chain.sandbox import FixedPrices, SandboxChain, SandboxConfig
from agent.chain.sandbox.dispatch import mask_hex, schedule_value
from agent.model.actions import CallSpec, TargetChain
from agent.model.network import PASEO
from agent.model.outcome import OutcomeStatus
from agent.model.port import SignerSpec
from tests.support.devnet import ALICE_URI, PAS, Devnet

Event = dict[str, Any]
ACCOUNT_FIELDS = {"who", "payer", "owner", "old_owner", "new_owner", "ordered_by", "account"}
PASEO_ADAPTER = FixedPrices(end_price=500 * PAS, target_price=750 * PAS)
"""Paseo Coretime 2000006 uses `MinimumPriceWithFixedTargetPrice<500 PAS, 750 PAS>`."""


@dataclass
class Step:
    """One block: did the extrinsic (and a wrapped inner call) succeed, and the Broker events."""

    ok: bool
    error: str | None
    relay: int
    events: list[Event]


def plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


def normalise(pallet: str, name: str, attributes: Any) -> Event:
    attrs = plain(attributes) if isinstance(attributes, dict) else {}
    for key in ACCOUNT_FIELDS & set(attrs):
        if isinstance(attrs[key], str):
            attrs[key] = to_account_id(attrs[key])
    return {"event": f"{pallet}.{name}", **attrs}


def broker_only(events: list[tuple[str, str, Any]]) -> list[Event]:
    return [normalise(p, n, a) for p, n, a in events if p == "Broker"]


class Driver(Protocol):
    name: str

    def relay_number(self) -> int: ...

    def jump_to(self, relay: int) -> Step: ...

    def new_block(self) -> Step: ...

    def call(self, signer: str, pallet: str, function: str, args: dict[str, Any]) -> Step: ...

    def sudo(self, pallet: str, function: str, args: dict[str, Any]) -> Step: ...

    def sudo_as(self, who: str, pallet: str, function: str, args: dict[str, Any]) -> Step: ...

    def set_balance(self, account: str, planck: int) -> None: ...

    def free_balance(self, account: str) -> int: ...

    def sale(self) -> dict[str, Any]: ...

    def config(self) -> dict[str, Any]: ...

    def storage(self) -> dict[str, Any]: ...

    def checkpoint(self) -> Any: ...

    def restore(self, token: Any) -> None: ...


class RealDriver:
    """The Paseo Coretime runtime in chopsticks (Instant mode), through `Devnet`."""

    name = "chopsticks"

    def __init__(self, devnet: Devnet) -> None:
        self.devnet = devnet
        self.api = devnet.api
        self.api.init_runtime()

    def relay_number(self) -> int:
        return self.devnet.relay_number()

    def _block_step(self, block: str, ok: bool = True, error: str | None = None) -> Step:
        return Step(
            ok, error, self.devnet.relay_number(block), broker_only(self.devnet.events(block))
        )

    def jump_to(self, relay: int) -> Step:
        return self._block_step(self.devnet.new_block(relay_number=relay))

    def new_block(self) -> Step:
        return self._block_step(self.devnet.new_block())

    def _error_name(self, error: Any) -> str:
        if isinstance(error, dict) and "Module" in error:
            module = error["Module"]
            index = int(module["error"][2:4], 16) if isinstance(module["error"], str) else 0
            variant = self.api.metadata.get_module_error(
                module_index=module["index"], error_index=index
            )
            return str(variant.name)
        if isinstance(error, dict) and len(error) == 1:
            key, value = next(iter(error.items()))
            return str(value if isinstance(value, str) else key)
        return str(error)

    def _submit(self, signer: Any, call: Any) -> Step:
        receipt = self.devnet.submit(call, signer)
        block = receipt.block_hash
        events = self.devnet.events(block)
        error = None
        for pallet, name, attrs in events:
            if (pallet, name) == ("System", "ExtrinsicFailed"):
                error = self._error_name(attrs["dispatch_error"])
            if pallet == "Sudo" and name in ("Sudid", "SudoAsDone"):
                result = attrs["sudo_result"]
                if isinstance(result, dict) and "Err" in result:
                    error = self._error_name(result["Err"])
        return self._block_step(block, ok=error is None, error=error)

    def call(self, signer: str, pallet: str, function: str, args: dict[str, Any]) -> Step:
        return self._submit(
            Keypair.create_from_uri(signer), self.devnet.call(pallet, function, args)
        )

    def sudo(self, pallet: str, function: str, args: dict[str, Any]) -> Step:
        inner = self.devnet.call(pallet, function, args)
        return self._submit(self.devnet.alice, self.devnet.call("Sudo", "sudo", {"call": inner}))

    def sudo_as(self, who: str, pallet: str, function: str, args: dict[str, Any]) -> Step:
        inner = self.devnet.call(pallet, function, args)
        call = self.devnet.call("Sudo", "sudo_as", {"who": who, "call": inner})
        return self._submit(self.devnet.alice, call)

    def set_balance(self, account: str, planck: int) -> None:
        self.devnet.fund(account, planck)

    def free_balance(self, account: str) -> int:
        return self.devnet.free_balance(account)

    def sale(self) -> dict[str, Any]:
        return plain(self.devnet.sale_info())

    def config(self) -> dict[str, Any]:
        return plain(self.api.query("Broker", "Configuration").value)

    def storage(self) -> dict[str, Any]:
        api = self.api
        regions = {}
        for key, value in api.query_map("Broker", "Regions", page_size=100):
            record = plain(value.value)
            if record.get("owner"):
                record["owner"] = to_account_id(record["owner"])
            regions[json.dumps(plain(key.value), sort_keys=True)] = record
        return {
            "SaleInfo": self.sale(),
            "Status": plain(api.query("Broker", "Status").value),
            "AutoRenewals": plain(api.query("Broker", "AutoRenewals").value),
            "PotentialRenewals": {
                json.dumps(plain(k.value), sort_keys=True): plain(v.value)
                for k, v in api.query_map("Broker", "PotentialRenewals", page_size=100)
            },
            "Regions": regions,
            "Workload": {
                str(k.value): plain(v.value)
                for k, v in api.query_map("Broker", "Workload", page_size=100)
            },
        }

    def checkpoint(self) -> Any:
        return self.devnet.head()

    def restore(self, token: Any) -> None:
        self.devnet.reset_to(token)


class SandboxDriver:
    """The sandbox, set up like the chopsticks chain (Paseo, //Alice as sudo, relay at 1000)."""

    name = "sandbox"

    def __init__(self) -> None:
        config = SandboxConfig(network=PASEO, adapter=PASEO_ADAPTER, auto_renew_keeps_old_core=True)
        self.chain = SandboxChain(config)
        dev = ("//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie")
        self.chain.fund(dev, 16_777_216 * PAS // 10, relay=False)

    def relay_number(self) -> int:
        return self.chain.relay_number

    def _block_step(self, ok: bool = True, error: str | None = None) -> Step:
        events = [(e.pallet, e.name, dict(e.attributes)) for e in self.chain.block_events()]
        return Step(ok, error, self.chain.relay_number, broker_only(events))

    def jump_to(self, relay: int) -> Step:
        self.chain.jump_to(relay)
        return self._block_step()

    def new_block(self) -> Step:
        self.chain.new_block()
        return self._block_step()

    def _submit(self, signer: str, call: CallSpec) -> Step:
        outcome = self.chain.submit(call, SignerSpec("conformance", SecretStr(signer)))
        assert outcome.status in (OutcomeStatus.INCLUDED, OutcomeStatus.FAILED), outcome.message
        error = outcome.error.name if outcome.error else None
        return self._block_step(ok=error is None, error=error)

    def call(self, signer: str, pallet: str, function: str, args: dict[str, Any]) -> Step:
        return self._submit(signer, CallSpec(TargetChain.CORETIME, pallet, function, args))

    def sudo(self, pallet: str, function: str, args: dict[str, Any]) -> Step:
        inner = CallSpec(TargetChain.CORETIME, pallet, function, args)
        return self._submit(
            ALICE_URI, CallSpec(TargetChain.CORETIME, "Sudo", "sudo", {"call": inner})
        )

    def sudo_as(self, who: str, pallet: str, function: str, args: dict[str, Any]) -> Step:
        inner = CallSpec(TargetChain.CORETIME, pallet, function, args)
        call = CallSpec(TargetChain.CORETIME, "Sudo", "sudo_as", {"who": who, "call": inner})
        return self._submit(ALICE_URI, call)

    def set_balance(self, account: str, planck: int) -> None:
        self.chain.set_balance(account, planck)

    def free_balance(self, account: str) -> int:
        return self.chain.balance(account)

    def sale(self) -> dict[str, Any]:
        sale = self.chain.world.broker.sale
        assert sale is not None
        return plain(_fields(sale))

    def config(self) -> dict[str, Any]:
        config = self.chain.world.broker.config
        assert config is not None
        return plain(_fields(config))

    def storage(self) -> dict[str, Any]:
        st = self.chain.world.broker
        renewals = {}
        for (core, when), record in st.renewals.items():
            completion: Any = (
                {"Complete": schedule_value(record.workload)}
                if record.complete
                else {"Partial": mask_hex(record.mask)}
            )
            key = json.dumps({"core": core, "when": when}, sort_keys=True)
            renewals[key] = {"price": record.price, "completion": completion}
        regions = {
            json.dumps({"begin": b, "core": c, "mask": mask_hex(m)}, sort_keys=True): {
                "end": r.end,
                "owner": r.owner,
                "paid": r.paid,
            }
            for (b, c, m), r in st.regions.items()
        }
        return plain(
            {
                "SaleInfo": self.sale(),
                "Status": _fields(st.status),
                "AutoRenewals": [_fields(r) for r in st.auto_renewals],
                "PotentialRenewals": renewals,
                "Regions": regions,
                "Workload": {str(k): schedule_value(v) for k, v in st.workload.items()},
            }
        )

    def checkpoint(self) -> Any:
        return self.chain.save()

    def restore(self, token: Any) -> None:
        self.chain.restore(token)


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}
