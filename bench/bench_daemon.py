"""Daemon figures against the real Coretime runtime in chopsticks.

1. Latency: from a new head to the renewal extrinsic being sent (signed and handed to the node),
   and to its inclusion, with the daemon's own poll (in-process, no sleeping poll interval counted).
2. Resident memory of `coretime-agent run` with 1 and with 100 policies after a few ticks.

Run: `.venv/bin/python bench/bench_daemon.py` (starts and stops its own chopsticks).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.model.port import ChainPort
from agent.runtime.wiring import build_agent
from agent.settings import load_settings
from tests.support.devnet import CORETIME_SPEC, ChopsticksProcess, Devnet, ensure_chopsticks
from tests.support.scenario import policy_yaml, renewal_right_for, write_agent_files


class TimedPort:
    """Records when the daemon hands an extrinsic to the node."""

    def __init__(self, inner: ChainPort) -> None:
        self.inner = inner
        self.sent_at: float | None = None

    def submit(self, call, signer):  # type: ignore[no-untyped-def]
        self.sent_at = time.perf_counter()
        return self.inner.submit(call, signer)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.inner, name)


def latency(node: ChopsticksProcess) -> tuple[float, float]:
    devnet = Devnet(node.url)
    start = devnet.head()
    try:
        renewal_right_for(devnet, 2000, rotate=False)
        with tempfile.TemporaryDirectory() as tmp:
            env = write_agent_files(Path(tmp), node.url, {"p": policy_yaml("p", 2000)})
            import os

            os.environ.update({k: v for k, v in env.items() if k.startswith("CORETIME_AGENT_")})
            agent = build_agent(load_settings())
            timed = TimedPort(agent.ports["paseo"])
            agent.ports["paseo"] = timed  # type: ignore[assignment]
            daemon = agent.make_daemon(poll_seconds=1)
            daemon.poll()  # first tick: nothing to do before the rotation
            devnet.rotate_sale()  # the new head that opens the renewal window
            head_at = time.perf_counter()
            daemon.poll()
            done_at = time.perf_counter()
            agent.close()
            for key in env:
                if key.startswith("CORETIME_AGENT_"):
                    os.environ.pop(key, None)
        assert timed.sent_at is not None, "the daemon did not submit"
        return timed.sent_at - head_at, done_at - head_at
    finally:
        devnet.reset_to(start)
        devnet.close()


def rss_with(node: ChopsticksProcess, n: int) -> tuple[int, int]:
    import subprocess

    from tests.support.devnet import free_port
    from tests.support.scenario import ROOT

    with tempfile.TemporaryDirectory() as tmp:
        policies = {f"para-{3000 + i}": policy_yaml(f"para-{3000 + i}", 3000 + i) for i in range(n)}
        env = write_agent_files(Path(tmp), node.url, policies)
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "agent.cli",
                "run",
                "--poll-seconds",
                "0.5",
                "--metrics-address",
                f"127.0.0.1:{port}",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(12)  # connect, load metadata, several polls and ticks
        status = Path(f"/proc/{proc.pid}/status").read_text()
        proc.terminate()
        proc.wait(timeout=30)
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024


def main() -> None:
    reason = ensure_chopsticks()
    if reason:
        print(f"cannot run: {reason}")
        raise SystemExit(1)
    node = ChopsticksProcess(CORETIME_SPEC, "Instant").start()
    try:
        runs = [latency(node) for _ in range(3)]
        sent = sorted(r[0] for r in runs)
        included = sorted(r[1] for r in runs)
        print(
            "new head -> renewal extrinsic sent:     "
            f"median {sent[1] * 1000:.0f} ms (min {sent[0] * 1000:.0f}, max {sent[2] * 1000:.0f})"
        )
        print(
            "new head -> renewal included + recorded: "
            f"median {included[1] * 1000:.0f} ms (min {included[0] * 1000:.0f}, max {included[2] * 1000:.0f})"
        )
        for n in (1, 100):
            rss, peak = rss_with(node, n)
            print(f"daemon resident memory with {n:>3} policies: {rss} MiB (peak {peak} MiB)")
    finally:
        node.stop()


if __name__ == "__main__":
    main()
