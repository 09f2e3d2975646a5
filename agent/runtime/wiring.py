"""Builds a running agent from settings: policies, chain ports, ledger, signers, executor.

Why: `run`, `once`, `plan` and `demo` share one construction path, so the daemon the demo shows
is the daemon users deploy. Settings are read here and passed down as plain values.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agent.chain.substrate import SubstrateChain
from agent.errors import AgentError, SettingsError
from agent.ledger import Ledger
from agent.ledger.leader import leader_lock_for
from agent.model.actions import Action, ActionKind
from agent.model.outcome import OutcomeStatus, SubmissionOutcome
from agent.model.policy import LoadedPolicy, PolicySet
from agent.model.port import ChainPort, SignerSpec, SnapshotRequest
from agent.policy import load_policies
from agent.render import renderer_for
from agent.runtime.alerts import AlertSink
from agent.runtime.cycle import Cycle, Executor
from agent.runtime.daemon import Daemon
from agent.runtime.dryrun import dry_run_executor
from agent.runtime.health import Health
from agent.runtime.metrics import Metrics
from agent.runtime.notify import Notifier, Webhook
from agent.runtime.reload import PolicyReloader
from agent.runtime.xcm import compose, execute_auto_renew, values_for
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
    _para_ports: dict[tuple[str, int], ChainPort | None] = field(default_factory=dict)

    def make_cycle(self, executor: Executor | None = None) -> Cycle:
        chosen = executor or make_executor(self.settings, self.dry_run, self.parachain_port)
        self.cycle = Cycle(
            policies=self.policies,
            ports=self.ports,
            ledger=self.ledger,
            signers=self.signers,
            health=self.health,
            metrics=self.metrics,
            alerts=AlertSink(self.notifier),
            execute=chosen,
        )
        return self.cycle

    def make_daemon(self, poll_seconds: float = 6.0) -> Daemon:
        cycle = self.cycle or self.make_cycle()
        registry = self.settings.network_registry()
        reloader = PolicyReloader(
            self.policy_paths,
            lambda paths: load_policies(paths, registry),
            self.health,
            self.policies,
        )
        windows = [
            self.settings.endpoints[n].window_blocks
            for n in self.ports
            if n in self.settings.endpoints
        ]
        return Daemon(
            cycle=cycle,
            reloader=reloader,
            leader=leader_lock_for(
                self.settings.ledger, self.settings.state_dir, self.settings.leader_lease_seconds
            ),
            health=self.health,
            heads=lambda: head_numbers(self.ports),
            subscribe=lambda wake: follow_heads(self.ports, wake),
            window_blocks=min(windows) if windows else 1,
            poll_seconds=poll_seconds,
        )

    def parachain_port(self, policy: LoadedPolicy) -> ChainPort | None:
        """A port on the para's own node (for `autoRenew.submit: sudo`), when configured."""
        key = (policy.network.name, policy.para_id)
        if key not in self._para_ports:
            endpoints = self.settings.endpoints.get(policy.network.name)
            urls = endpoints.parachains.get(policy.para_id, []) if endpoints else []
            self._para_ports[key] = (
                SubstrateChain(policy.network, urls, timeout=self.settings.rpc_timeout_seconds)
                if urls
                else None
            )
        return self._para_ports[key]

    def close(self) -> None:
        for port in [*self.ports.values(), *filter(None, self._para_ports.values())]:
            port.close()
        self.ledger.close()
        if self.notifier:
            self.notifier.close()


def follow_heads(ports: Mapping[str, ChainPort], wake: Callable[[], None]) -> Callable[[], None]:
    """Subscribe to finalized heads where a port can (polling stays the fall-back)."""
    followers = []
    for port in ports.values():
        follow = getattr(port, "follow_finalized", None)
        if callable(follow):
            followers.append(follow(lambda _number: wake()))

    def stop() -> None:
        for follower in followers:
            follower.stop()

    return stop


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


def make_executor(
    settings: AgentSettings,
    dry_run: bool,
    parachain_port: Callable[[LoadedPolicy], ChainPort | None],
) -> Executor:
    """The submitter: auto-renew actions go through XCM (sudo or export), the rest as they are.

    In dry-run the XCM is still composed and encoded (so template and metadata errors show), and
    the submission is recorded instead of sent: dry-run is this one seam.
    """
    renderer = renderer_for(settings.templates)
    export_dir = settings.state_dir / "exports"

    def execute(
        action: Action, policy: LoadedPolicy, port: ChainPort, signer: SignerSpec
    ) -> SubmissionOutcome:
        if action.kind in (ActionKind.ENABLE_AUTO_RENEW, ActionKind.DISABLE_AUTO_RENEW):
            if dry_run:
                built = compose(
                    action, values_for(action, policy, port, signer), renderer, port.encode
                )
                return SubmissionOutcome(
                    OutcomeStatus.DRY_RUN,
                    message=f"dry run: would send XCM v{built.values.version} "
                    f"with inner call 0x{(built.inner_call or b'').hex()}",
                )
            return execute_auto_renew(
                action,
                policy,
                port,
                signer,
                renderer=renderer,
                export_dir=export_dir,
                parachain=parachain_port(policy),
            )
        if dry_run:
            return dry_run_executor(action, policy, port, signer)
        return port.submit(action.call, signer)

    return execute


def substrate_port_factory(settings: AgentSettings) -> PortFactory:
    def build(network: str) -> ChainPort:
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
            network=net,
            coretime=endpoints.coretime,
            relay=endpoints.relay,
            timeout=settings.rpc_timeout_seconds,
            cache_dir=settings.state_dir / "metadata",
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
        for name in sorted(signer_names(policies)):
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
        settings=settings,
        policy_paths=paths,
        policies=policies,
        ports=ports,
        ledger=ledger,
        signers=signers,
        notifier=Notifier(webhooks) if webhooks else None,
        dry_run=is_dry,
    )


def signer_names(policies: PolicySet) -> set[str]:
    """Every signer a policy names: its payer and its auto-renewal's sudo key (`autoRenew.signer`)."""
    names = {p.policy.spec.signer for p in policies.policies}
    names |= {s for p in policies.policies if (s := p.policy.spec.auto_renew.signer)}
    return names


def secrets_of(agent: Agent) -> list[str]:
    """Every secret value the process holds, for the log redactor."""
    values = [s.secret.get_secret_value() for s in agent.signers.values()]
    values += [h.url for h in (agent.notifier.webhooks.values() if agent.notifier else [])]
    return values


def policies_by_network(policies: PolicySet) -> Mapping[str, list[LoadedPolicy]]:
    out: dict[str, list[LoadedPolicy]] = {}
    for p in policies.policies:
        out.setdefault(p.network.name, []).append(p)
    return out
