"""Auto-renewal through XCM: from an ENABLE/DISABLE_AUTO_RENEW action to the calls to send.

Why: `enable_auto_renew` and `disable_auto_renew` only accept the para's sibling account as
origin, so the planned Broker call (the action's `call`) must travel inside an XCM `Transact` sent
by the parachain itself with Root (protocol.md §4.6, §7.3). This module joins the rooms for that:

1. the inner call is encoded against the Coretime runtime (``port.encode``, by metadata name);
2. its weight comes from the port's preflight plus the policy's margin, the fee from the policy
   or a conservative default (the surplus goes back to the sibling account);
3. the program and destination are rendered from templates (`agent.render`) and checked;
4. the parachain call is ``PolkadotXcm.send(dest, message)``; the ``sudo`` path wraps it in
   ``Sudo.sudo`` and submits it with the para's sudo key, the ``export`` path writes hex, JSON and
   a summary for a governance proposal and sends nothing.

The XCM version is the policy's, or the highest version both the templates and the Coretime
runtime support. The SetTopic id is derived from the action id, so the Coretime chain's
``MessageQueue.Processed{id}`` can be matched to the action.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.chain.addresses import to_ss58
from agent.chain.substrate import SubstrateChain
from agent.errors import ActionFailed, AgentError, ChainIncompatible
from agent.model.accounts import sibling_account
from agent.model.actions import Action, ActionKind, CallSpec, TargetChain
from agent.model.chain import Capabilities
from agent.model.money import PERBILL, Token
from agent.model.network import Network
from agent.model.outcome import OutcomeStatus, PreflightResult, SubmissionOutcome
from agent.model.policy import LoadedPolicy, SubmitPath, XcmVersionChoice
from agent.model.port import ChainPort, SignerSpec
from agent.render import SUPPORTED_VERSIONS, RenderedLocation, RenderedProgram, renderer_for
from agent.render.renderer import XcmRenderer
from agent.render.summary import proposal_text
from agent.settings import DEFAULT_STATE_DIR

PROGRAM_TEMPLATE = "sovereign-transact"
DEST_TEMPLATE = "coretime-dest"
FALLBACK_VERSION = 4
"""When the runtime's versions are unknown: every runtime in scope reads v4 (v5 ones convert)."""
FEE_FLOOR_DIVISOR = 100
"""Default fee is at least 1/100 of a token (0.01 DOT); what is not used is refunded."""
FEE_PER_PARTIAL_FEE = 10
Encoder = Callable[[CallSpec], bytes]
_AUTO_RENEW = (ActionKind.ENABLE_AUTO_RENEW, ActionKind.DISABLE_AUTO_RENEW)


@dataclass(frozen=True, slots=True)
class Weight:
    ref_time: int
    proof_size: int

    def with_margin(self, perbill: int) -> Weight:
        """Scaled up by ``perbill`` parts per billion, rounding up (never under-estimate)."""
        return Weight(
            -(-self.ref_time * (PERBILL + perbill) // PERBILL),
            -(-self.proof_size * (PERBILL + perbill) // PERBILL),
        )


@dataclass(frozen=True, slots=True)
class XcmValues:
    """What the program needs besides the inner call."""

    para_id: int
    coretime_para_id: int
    version: int
    fee: int
    """Planck of the relay token withdrawn from the sibling account to pay for execution."""
    weight: Weight
    topic: str | None = None
    """0x + 32 bytes for SetTopic, or None to leave it out."""
    template: str = PROGRAM_TEMPLATE


@dataclass(frozen=True, slots=True)
class AutoRenewXcm:
    """Everything built for one auto-renew action; nothing here has been sent."""

    inner: CallSpec
    inner_call: bytes | None
    """The encoded Broker call inside Transact; None only in an offline preview."""
    values: XcmValues
    program: RenderedProgram
    dest: RenderedLocation
    send: CallSpec
    """``PolkadotXcm.send(dest, message)`` on the parachain: what governance dispatches as Root."""
    sudo: CallSpec
    """``Sudo.sudo(send)``: what the para's sudo key signs on the `sudo` path."""


def choose_xcm_version(capabilities: Capabilities | None, choice: XcmVersionChoice) -> int:
    """The policy's version, or the highest one both the templates and the runtime know."""
    known = tuple(capabilities.xcm_versions) if capabilities else ()
    if choice is not XcmVersionChoice.AUTO:
        version = int(choice.value)
        if known and version not in known:
            raise ChainIncompatible(
                f"the policy fixes XCM v{version}, but the Coretime runtime reads only "
                f"{', '.join(f'v{v}' for v in sorted(known))}",
                hint="set autoRenew.xcmVersion to auto or to a version the runtime lists",
            )
        return version
    if not known:
        return FALLBACK_VERSION
    common = sorted(set(known) & set(SUPPORTED_VERSIONS))
    if not common:
        raise ChainIncompatible(
            f"the Coretime runtime reads XCM {', '.join(f'v{v}' for v in sorted(known))}; "
            f"the agent's templates cover v{', v'.join(map(str, SUPPORTED_VERSIONS))}"
        )
    return common[-1]


def topic_for(action_id: str) -> str:
    """A SetTopic id derived from the action id (the same action always gets the same topic)."""
    return "0x" + hashlib.sha256(f"coretime-agent:{action_id}".encode()).hexdigest()


def transact_weight(preflight: PreflightResult, margin_perbill: int) -> Weight:
    """The inner call's estimated weight plus the policy's margin; refuses a zero estimate."""
    if preflight.weight_ref_time <= 0:
        why = preflight.message or (str(preflight.error) if preflight.error else "no estimate")
        raise ActionFailed(
            f"cannot estimate the weight of the inner call: {why}",
            hint="give the weight explicitly (render --weight) or check the Coretime endpoint",
        )
    return Weight(preflight.weight_ref_time, preflight.weight_proof_size).with_margin(
        margin_perbill
    )


def default_fee(preflight: PreflightResult | None, token: Token) -> int:
    """Generous on purpose: RefundSurplus + DepositAsset return what execution did not use."""
    floor = token.unit // FEE_FLOOR_DIVISOR
    estimate = preflight.partial_fee * FEE_PER_PARTIAL_FEE if preflight else 0
    return max(floor, estimate)


def _check_action(action: Action) -> None:
    call = action.call
    if action.kind not in _AUTO_RENEW:
        raise ActionFailed(f"action {action.id} is {action.kind.value}, not an auto-renew action")
    if call.chain is not TargetChain.CORETIME or call.pallet != "Broker":
        raise ActionFailed(
            f"action {action.id}: expected a Broker call on the Coretime chain, got "
            f"{call.chain.value} {call.pallet}.{call.function}"
        )


def compose(
    action: Action,
    values: XcmValues,
    renderer: XcmRenderer,
    encode: Encoder | None,
) -> AutoRenewXcm:
    """Encode the inner call (if an encoder is given), render and check the program and dest.

    Without an encoder (an offline preview) the Transact call is rendered as empty bytes ``0x``
    and `inner_call` is None: the program's shape is right, its call is not.
    """
    _check_action(action)
    inner_call = encode(action.call) if encode is not None else None
    variables: dict[str, Any] = {
        "para_id": values.para_id,
        "call": "0x" + (inner_call or b"").hex(),
        "fee": values.fee,
        "weight": {"ref_time": values.weight.ref_time, "proof_size": values.weight.proof_size},
        "topic": values.topic,
    }
    program = renderer.program(values.template, values.version, variables)
    dest = renderer.location(
        DEST_TEMPLATE, values.version, {"coretime_para_id": values.coretime_para_id}
    )
    send = CallSpec(
        TargetChain.PARACHAIN,
        "PolkadotXcm",
        "send",
        {"dest": dest.location, "message": program.message},
    )
    sudo = CallSpec(TargetChain.PARACHAIN, "Sudo", "sudo", {"call": send})
    return AutoRenewXcm(action.call, inner_call, values, program, dest, send, sudo)


def values_for(
    action: Action,
    policy: LoadedPolicy,
    port: ChainPort,
    signer: SignerSpec,
) -> XcmValues:
    """XCM version, weight, fee and topic for an action, from the policy and the port."""
    spec = policy.policy.spec.auto_renew
    version = choose_xcm_version(port.capabilities(), spec.xcm_version)
    preflight = port.preflight(action.call, signer)
    weight = transact_weight(preflight, spec.weight_margin)
    fee = spec.fee.planck if spec.fee is not None else default_fee(preflight, policy.network.token)
    return XcmValues(
        para_id=action.para_id,
        coretime_para_id=policy.network.coretime_para_id,
        version=version,
        fee=fee,
        weight=weight,
        topic=topic_for(action.id),
        template=spec.template or PROGRAM_TEMPLATE,
    )


def execute_auto_renew(
    action: Action,
    policy: LoadedPolicy,
    port: ChainPort,
    signer: SignerSpec,
    *,
    renderer: XcmRenderer | None = None,
    export_dir: Path | None = None,
    parachain: ChainPort | None = None,
) -> SubmissionOutcome:
    """Build the XCM for the action, then submit it (``sudo``) or write it out (``export``).

    `port` is the Coretime chain's. The parachain calls go through `parachain` (a port whose one
    chain is the para's node) when given, else through `port` with the PARACHAIN target. The
    ``sudo`` path signs ``Sudo.sudo(PolkadotXcm.send(...))`` with the para's sudo key; its outcome
    is the parachain's. Whether the Coretime chain then emitted ``AutoRenewalEnabled`` is
    confirmed from later snapshots (the ``AutoRenewals`` entry), not here.
    """
    spec = policy.policy.spec.auto_renew
    values = values_for(action, policy, port, signer)
    built = compose(action, values, renderer or renderer_for(None), port.encode)
    para_encode = parachain_encoder(port, parachain)
    if spec.submit is SubmitPath.EXPORT:
        folder = write_export(built, action, policy.network, para_encode, export_dir)
        return SubmissionOutcome(
            OutcomeStatus.EXPORTED,
            message=f"written for a governance proposal to {folder}; nothing was sent",
        )
    if parachain is not None:
        return parachain.submit(retarget(built.sudo, TargetChain.CORETIME), signer)
    return port.submit(built.sudo, signer)


def retarget(call: CallSpec, chain: TargetChain) -> CallSpec:
    """The same call (nested calls included) addressed to another chain of a port."""
    args = {k: retarget(v, chain) if isinstance(v, CallSpec) else v for k, v in call.args.items()}
    return CallSpec(chain, call.pallet, call.function, args)


def single_chain_port(network: Network, url: str, timeout: float = 10.0) -> ChainPort:
    """A port on one node (a Coretime node, or a parachain's for its own calls), for previews."""
    return SubstrateChain(network, [url], timeout=timeout, attempts=1)


def parachain_encoder(port: ChainPort, parachain: ChainPort | None) -> Encoder:
    """Encode parachain calls with the para's own port (its single chain), or `port`'s target."""
    if parachain is None:
        return port.encode
    return lambda call: parachain.encode(retarget(call, TargetChain.CORETIME))


# -- export -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EncodedCalls:
    send: bytes | None
    sudo: bytes | None
    problem: str | None = None


def encode_parachain_calls(built: AutoRenewXcm, encode: Encoder | None) -> EncodedCalls:
    """Encode the parachain calls, or say why not (they need the parachain's own metadata)."""
    if encode is None or built.inner_call is None:
        return EncodedCalls(None, None, "no parachain runtime to encode against")
    try:
        return EncodedCalls(encode(built.send), encode(built.sudo))
    except AgentError as exc:
        return EncodedCalls(None, None, exc.one_line())


def export_record(
    built: AutoRenewXcm, action: Action, network: Network, calls: EncodedCalls
) -> dict[str, Any]:
    """The JSON written for a proposal: every value needed to check or rebuild the calls."""
    sibling = sibling_account(built.values.para_id)
    return {
        "action": {
            "id": action.id,
            "kind": action.kind.value,
            "policy": action.policy,
            "network": action.network,
            "para_id": action.para_id,
            "reason": action.reason,
        },
        "confirm_event": "AutoRenewalEnabled"
        if action.kind is ActionKind.ENABLE_AUTO_RENEW
        else "AutoRenewalDisabled",
        "coretime_para_id": built.values.coretime_para_id,
        "sibling_account": {"hex": sibling, "ss58": to_ss58(sibling, network.ss58_prefix)},
        "inner_call": {
            "pallet": built.inner.pallet,
            "function": built.inner.function,
            "args": dict(built.inner.args),
            "hex": None if built.inner_call is None else "0x" + built.inner_call.hex(),
        },
        "xcm_version": built.values.version,
        "template": {"file": built.program.template, "origin": built.program.origin},
        "fee_planck": built.values.fee,
        "weight": {
            "ref_time": built.values.weight.ref_time,
            "proof_size": built.values.weight.proof_size,
        },
        "topic": built.values.topic,
        "dest": built.dest.location,
        "program": built.program.program,
        "parachain_call": {
            "call": "PolkadotXcm.send(dest, message)",
            "hex": None if calls.send is None else "0x" + calls.send.hex(),
            "sudo_hex": None if calls.sudo is None else "0x" + calls.sudo.hex(),
            "not_encoded_because": calls.problem,
        },
    }


def write_export(
    built: AutoRenewXcm,
    action: Action,
    network: Network,
    encode: Encoder | None,
    export_dir: Path | None = None,
) -> Path:
    """Write ``<action id>.call.hex``, ``.json`` and ``.md`` into a folder; returns the folder."""
    folder = export_dir or DEFAULT_STATE_DIR / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    calls = encode_parachain_calls(built, encode)
    record = export_record(built, action, network, calls)
    if calls.send is not None:
        _atomic_write(folder / f"{action.id}.call.hex", "0x" + calls.send.hex() + "\n")
    record_text = json.dumps(record, indent=2, default=str) + "\n"
    _atomic_write(folder / f"{action.id}.json", record_text)
    _atomic_write(folder / f"{action.id}.md", proposal_text(record, network.token))
    return folder


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
