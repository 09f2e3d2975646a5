"""Snapshot cost against the real Coretime runtime: round trips and wall time for 1/10/100 paras.

Starts its own chopsticks (tests/support/devnet.py), starts a sale, gives 100 paras a renewal
right, an auto-renewal and a funded sibling account, then times `SubstrateChain.snapshot`.
Also times connecting with a cold metadata cache, with the disk cache (a restart), and with the
in-process cache (a reconnect).

    .venv/bin/python -m bench.bench_snapshot [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from agent.chain.substrate import SubstrateChain
from agent.chain.substrate.metadata_cache import MetadataCache
from agent.model.accounts import sibling_account
from agent.model.actions import CallSpec, TargetChain
from agent.model.network import PASEO
from agent.model.port import SnapshotRequest
from tests.support.devnet import CORETIME_SPEC, PAS, Devnet, ensure_chopsticks, running


def connect_seconds(url: str, cache_dir: Path, *, clear_memory: bool) -> tuple[float, float, int]:
    """Seconds to the first encoded call (V14 loaded), then to capabilities (V15 too)."""
    if clear_memory:
        MetadataCache._decoded.clear()
    started = time.perf_counter()
    port = SubstrateChain(PASEO, [url], cache_dir=cache_dir)
    try:
        port.encode(CallSpec(TargetChain.CORETIME, "Broker", "renew", {"core": 0}))
        connected = time.perf_counter() - started
        port.capabilities()
        total = time.perf_counter() - started
        return connected, total, port.rpc_methods["state_getMetadata"]
    finally:
        port.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    reason = ensure_chopsticks()
    if reason:
        raise SystemExit(f"cannot run: {reason}")
    with running(CORETIME_SPEC) as node, tempfile.TemporaryDirectory() as tmp:
        devnet = Devnet(node.url)
        devnet.configure_broker()
        devnet.start_sales(end_price=100 * PAS, extra_cores=4)
        paras = devnet.seed_paras(100)
        cache = Path(tmp)

        print("metadata                          connect  +capabilities  state_getMetadata")
        for label, clear in (
            ("cold (empty disk cache)", True),
            ("restart (disk cache)", True),
            ("reconnect (memory cache)", False),
        ):
            if label.startswith("cold"):
                for f in cache.iterdir():
                    f.unlink()
            connected, total, fetched = connect_seconds(node.url, cache, clear_memory=clear)
            print(f"  {label:<30}{connected:7.2f}s {total:13.2f}s  {fetched:>17}")

        port = SubstrateChain(PASEO, [node.url], cache_dir=cache)
        port.capabilities()
        print(f"\nparas  round trips  median ms  (of {args.runs} runs; fixed keys, balances, maps)")
        for count in (1, 10, 100):
            chosen = paras[:count]
            request = SnapshotRequest(
                para_ids=chosen,
                accounts=[sibling_account(p) for p in chosen],
                region_owners=[sibling_account(p) for p in chosen],
            )
            times, trips = [], set()
            for _ in range(args.runs):
                started = time.perf_counter()
                snap = port.snapshot(request)
                times.append(time.perf_counter() - started)
                trips.add(port.last_snapshot_round_trips)
            assert len(snap.balances) == count and len(snap.potential_renewals) == 100
            print(
                f"{count:5d}  {'/'.join(map(str, sorted(trips))):>11}  {statistics.median(times) * 1000:9.1f}"
            )
        port.close()
        devnet.close()


if __name__ == "__main__":
    main()
