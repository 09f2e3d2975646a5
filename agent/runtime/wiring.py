"""Builds a running agent from settings: policies, chain ports, ledger, signers, executor.

Why: `run`, `once`, `plan` and `demo` share one construction path, so the daemon the demo shows
is the daemon users deploy. Settings are read here and passed down as plain values.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agent.errors import AgentError, SettingsError
from agent.ledger import Ledger
from agent.ledger.leader import leader_lock_for
from agent.model.actions import Action, ActionKind
from agent.model.outcome import SubmissionOutcome
from agent.model.policy import LoadedPolicy, PolicySet
from agent.model.port import ChainPort, SignerSpec, SnapshotRequest
from agent.policy import load_policies
from agent.runtime.alerts import AlertSink
from agent.runtime.cycle import Cycle, Executor, default_executor
from agent.runtime.daemon import Daemon
from agent.runtime.dryrun import dry_run_executor
from agent.runtime.health import Health
from agent.runtime.metrics import Metrics
from agent.runtime.notify import Notifier, Webhook
from agent.runtime.reload import PolicyReloader
from agent.settings import AgentSettings

log = logging.getLogger(__name__)

PortFactory = Callable[[str], ChainPort]


@dataclass
class Agent:
    """Everything a tick needs, built once per process."""

    settings: AgentSettings
    policy_paths: list[Path]
    policies: PolicySet
    ports: dict[str, ChainPort]
    ledger: Ledger
    signers: dict[str, SignerSpec]
    health: Health = field(default_factory=Health)
    metrics: Metrics = field(default_factory=Metrics)
    notifier: Notifier | None = None
    dry_run: bool = False
    cycle: Cycle | None = None

    def make_cycle(self, executor: Executor | None = None) -> Cycle:
        chosen = executor or (dry_run_executor if self.dry_run else routing_executor)
        self.cycle = Cycle(
            policies=self.policies, ports=self.ports, ledger=self.ledger, signers=self.signers,
            health=self.health, metrics=self.metrics, alerts=AlertSink(self.notifier), execute=chosen,
        )
        return self.cycle

    def make_daemon(self, poll_seconds: float = 6.0) -> Daemon:
        cycle = self.cycle or self.make_cycle()
        registry = self.settings.network_registry()
        reloader = PolicyReloader(
            self.policy_paths, lambda paths: load_policies(paths, registry), self.health, self.policies
        )
        windows = [self.settings.endpoints[n].window_blocks for n in self.ports if n in self.settings.endpoints]
        return Daemon(
            cycle=cycle, reloader=reloader,
            leader=leader_lock_for(self.settings.ledger, self.settings.state_dir,
                                   self.settings.leader_lease_seconds),
            health=self.health, heads=lambda: head_numbers(self.ports),
            window_blocks=min(windows) if windows else 1, poll_seconds=poll_seconds,
        )

    def close(self) -> None:
        for port in self.ports.values():
            port.close()
        self.ledger.close()
        if self.notifier:
            self.notifier.close()


def head_numbers(ports: Mapping[str, ChainPort]) -> dict[str, int]:
    """The newest finalized Coretime block per network (an empty snapshot where no cheaper way)."""
    heads: dict[str, int] = {}
    for network, port in ports.items():
        reader = getattr(port, "finalized_number", None)
        if callable(reader):
            heads[network] = int(reader())
        else:
            heads[network] = port.snapshot(SnapshotRequest(para_ids=())).coretime_block.number
    return heads


def routing_executor(
    action: Action, policy: LoadedPolicy, port: ChainPort, signer: SignerSpec
) -> SubmissionOutcome:
    """Auto-renew actions go through XCM (sudo or export); everything else is submitted as is."""
    if action.kind in (ActionKind.ENABLE_AUTO_RENEW, ActionKind.DISABLE_AUTO_RENEW):
        from agent.runtime.xcm import execute_auto_renew  # noqa: PLC0415

        return execute_auto_renew(action, policy, port, signer)
    return default_executor(action, policy, port, signer)


def substrate_port_factory(settings: AgentSettings) -> PortFactory:
    def build(network: str) -> ChainPort:
        from agent.chain.substrate import SubstrateChain  # noqa: PLC0415

        endpoints = settings.endpoints.get(network)
        if endpoints is None or not endpoints.coretime:
            raise SettingsError(
                f"no Coretime endpoints for network '{network}'",
                hint=f"set endpoints.{network}.coretime in the settings file or "
                f"CORETIME_AGENT_ENDPOINTS__{network.upper()}__CORETIME='[\"wss://...\"]'",
            )
        net = settings.network_registry().get(network)
        assert net is not None
        return SubstrateChain(
            network=net, coretime=endpoints.coretime, relay=endpoints.relay,
            timeout=settings.rpc_timeout_seconds, cache_dir=settings.state_dir / "metadata",
        )

    return build


def build_agent(
    settings: AgentSettings,
    policy_paths: Sequence[Path] | None = None,
    *,
    port_factory: PortFactory | None = None,
    dry_run: bool | None = None,
    ledger_url: str | None = None,
    need_signers: bool = True,
) -> Agent:
    paths = list(policy_paths or [settings.policies])
    policies = load_policies(paths, settings.network_registry())
    networks = sorted({p.network.name for p in policies.policies})
    factory = port_factory or substrate_port_factory(settings)
    is_dry = settings.dry_run if dry_run is None else dry_run
    signers: dict[str, SignerSpec] = {}
    if need_signers:
        for name in sorted({p.policy.spec.signer for p in policies.policies}):
            signers[name] = settings.signer(name)
    webhooks = {
        name: Webhook(name, hook.url.get_secret_value(), hook.timeout_seconds, hook.max_attempts)
        for name, hook in settings.webhooks.items()
    }
    ports: dict[str, ChainPort] = {}
    try:
        for network in networks:
            ports[network] = factory(network)
        url = ledger_url or settings.ledger
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        ledger = Ledger(url, mode="dry-run" if is_dry else "live")
    except AgentError:
        for port in ports.values():
            port.close()
        raise
    return Agent(
        settings=settings, policy_paths=paths, policies=policies, ports=ports, ledger=ledger,
        signers=signers, notifier=Notifier(webhooks) if webhooks else None, dry_run=is_dry,
    )


def secrets_of(agent: Agent) -> list[str]:
    """Every secret value the process holds, for the log redactor."""
    values = [s.secret.get_secret_value() for s in agent.signers.values()]
    values += [h.url for h in (agent.notifier.webhooks.values() if agent.notifier else [])]
    return values


def describe(policies: PolicySet) -> list[str]:
    return [f"{p.name} ({p.network.name} para {p.para_id}) from {p.source}" for p in policies.policies]


def policies_by_network(policies: PolicySet) -> Mapping[str, list[LoadedPolicy]]:
    out: dict[str, list[LoadedPolicy]] = {}
    for p in policies.policies:
        out.setdefault(p.network.name, []).append(p)
    return out
