"""`coretime-agent render ...`: XCM templates to JSON and encoded calls, without sending anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import SecretStr

from agent.cli.app import app, fail, state
from agent.model.actions import Action, ActionKind, CallSpec, TargetChain, action_id
from agent.model.money import (
    AmountError,
    format_amount,
    format_percent,
    parse_amount,
    parse_percent,
)
from agent.model.network import Network
from agent.model.policy import XcmVersionChoice
from agent.model.port import ChainPort, SignerSpec
from agent.render import XcmRenderer, builtin_folder
from agent.render.summary import location_text, program_lines
from agent.runtime.sovereign import sovereign_accounts
from agent.runtime.xcm import (
    PROGRAM_TEMPLATE,
    AutoRenewXcm,
    EncodedCalls,
    Encoder,
    Weight,
    XcmValues,
    choose_xcm_version,
    compose,
    default_fee,
    encode_parachain_calls,
    export_record,
    parachain_encoder,
    single_chain_port,
    topic_for,
    transact_weight,
)

render_app = typer.Typer(
    help="Render XCM templates to JSON and encoded calls. Nothing is signed or sent.",
    no_args_is_help=True,
)
app.add_typer(render_app, name="render")

PREVIEW_SIGNER = SignerSpec("render-preview", SecretStr("//coretime-agent-render-preview"))
"""An unfunded throwaway key: only the dry run's origin while estimating weight."""

_AUTO_RENEW_HELP = """Show the XCM that enables (or, with --disable, disables) Broker auto-renewal
for a para, and the calls that carry it, without sending anything.

The para's sibling account on the Coretime chain must be the caller of enable_auto_renew, so the
parachain sends, with Root, PolkadotXcm.send(dest, message) where the message withdraws a fee
from that account, buys execution, runs the Broker call through Transact as SovereignAccount,
refunds the surplus and deposits it back.

\b
  coretime-agent render auto-renew --para 2000 --core 48 --hint 327885 --network polkadot
  coretime-agent render auto-renew --para 2000 --core 48 --hint 327885 \\
      --endpoint wss://polkadot-coretime-rpc.polkadot.io --xcm-version 5 --json

With --endpoint (a Coretime chain node) the Broker call is encoded against that runtime's
metadata, its weight is estimated with TransactionPaymentCallApi (plus --weight-margin) unless
--weight is given, and the XCM version is the highest both the runtime and the templates read.
With --para-endpoint (your parachain's node) PolkadotXcm.send and Sudo.sudo are encoded too:
that is the call data for a governance proposal. Without --endpoint the program is printed with
an empty call (0x) unless you pass the encoded call yourself with --call.

--hint is workload_end_hint: the `when` of the para's PotentialRenewals record (or the lease's
`until`); leave it out only when the core is renewable in the current sale (it then renews at
once, paid by the sibling account). Templates: the built-ins, overridden by name from
--templates (or settings `templates`); see `coretime-agent render templates`.
"""


def _weight(text: str | None) -> Weight | None:
    if text is None:
        return None
    parts = [p.strip().replace("_", "") for p in text.split(",")]
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise fail(
            f"--weight '{text}' is not REF_TIME,PROOF_SIZE (two integers, e.g. 1500000000,8000)"
        )
    ref_time, proof_size = int(parts[0]), int(parts[1])
    if ref_time >= 2**64 or proof_size >= 2**64:
        raise fail(f"--weight '{text}': each part must fit in a u64")
    return Weight(ref_time, proof_size)


def _call_bytes(text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise fail(f"--call '{text}' is not hex bytes") from None
    if not raw:
        raise fail("--call is empty")
    return raw


def _action(net: Network, para: int, core: int, hint: int | None, disable: bool) -> Action:
    kind = ActionKind.DISABLE_AUTO_RENEW if disable else ActionKind.ENABLE_AUTO_RENEW
    args: dict[str, Any] = {"core": core, "task": para}
    if not disable:
        args["workload_end_hint"] = hint
    function = "disable_auto_renew" if disable else "enable_auto_renew"
    target = {"core": core}
    return Action(
        id=action_id(
            network=net.name,
            policy="render",
            para_id=para,
            kind=kind,
            target=target,
            window=f"hint:{hint}",
        ),
        kind=kind,
        policy="render",
        para_id=para,
        network=net.name,
        window=f"hint:{hint}",
        max_cost=0,
        call=CallSpec(TargetChain.CORETIME, "Broker", function, args),
        reason="render auto-renew (preview; nothing is sent)",
        signer="",
        target=target,
    )


@render_app.command("auto-renew", help=_AUTO_RENEW_HELP)
def auto_renew(
    ctx: typer.Context,
    para: Annotated[
        int, typer.Option("--para", help="Parachain id (the task).", min=0, max=2**32 - 1)
    ],
    core: Annotated[
        int,
        typer.Option(
            "--core",
            help="Broker core index (workplan first, then workload).",
            min=0,
            max=2**16 - 1,
        ),
    ],
    hint: Annotated[
        int | None,
        typer.Option(
            "--hint",
            help="workload_end_hint: timeslice at which the core's workload ends.",
            min=0,
            max=2**32 - 1,
        ),
    ] = None,
    network: Annotated[
        str, typer.Option("--network", "-n", help="Network preset or custom network name.")
    ] = "polkadot",
    xcm_version: Annotated[
        int | None,
        typer.Option(
            "--xcm-version",
            help="3, 4 or 5. Default: the highest the runtime reads (4 offline).",
            min=3,
            max=5,
        ),
    ] = None,
    weight: Annotated[
        str | None,
        typer.Option(
            "--weight",
            metavar="REF_TIME,PROOF_SIZE",
            help="Transact weight; default: estimated (needs --endpoint).",
        ),
    ] = None,
    weight_margin: Annotated[
        str, typer.Option("--weight-margin", help="Added to an estimated weight.")
    ] = "20%",
    fee: Annotated[
        str | None,
        typer.Option(
            "--fee",
            metavar="AMOUNT",
            help="Fee withdrawn from "
            "the sibling account, e.g. '0.1 DOT' or planck; "
            "surplus refunded. Default: max(1/100 token, 10x the "
            "estimated transaction fee).",
        ),
    ] = None,
    endpoint: Annotated[
        str | None,
        typer.Option("--endpoint", metavar="URL", help="Coretime chain node (ws:// or wss://)."),
    ] = None,
    para_endpoint: Annotated[
        str | None,
        typer.Option(
            "--para-endpoint",
            metavar="URL",
            help="Your parachain's node, to encode PolkadotXcm.send and Sudo.sudo.",
        ),
    ] = None,
    call: Annotated[
        str | None,
        typer.Option(
            "--call", metavar="HEX", help="The encoded Broker call, if you already have it."
        ),
    ] = None,
    disable: Annotated[
        bool, typer.Option("--disable", help="Render disable_auto_renew(core, task) instead.")
    ] = False,
    templates: Annotated[
        Path | None,
        typer.Option("--templates", help="Folder of templates overriding the built-ins by name."),
    ] = None,
    template: Annotated[str, typer.Option("--template", help="Program template name.")] = (
        PROGRAM_TEMPLATE
    ),
    no_topic: Annotated[bool, typer.Option("--no-topic", help="Leave out SetTopic.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    settings = state(ctx).settings()
    net = settings.network_registry().get(network)
    if net is None:
        raise fail(
            f"unknown network '{network}'; use one of "
            f"{', '.join(settings.network_registry().names())}"
        )
    try:
        fee_planck = None if fee is None else parse_amount(fee, net.token).planck
        margin = parse_percent(weight_margin)
    except AmountError as exc:
        raise fail(str(exc)) from None
    given_weight, given_call = _weight(weight), _call_bytes(call)
    renderer = XcmRenderer(templates or settings.templates)
    action = _action(net, para, core, hint, disable)
    timeout = settings.rpc_timeout_seconds
    coretime = single_chain_port(net, endpoint, timeout) if endpoint else None
    parachain = single_chain_port(net, para_endpoint, timeout) if para_endpoint else None
    try:
        built, calls, notes = _build(
            action,
            net,
            renderer,
            coretime,
            parachain,
            xcm_version,
            given_weight,
            margin,
            fee_planck,
            given_call,
            template,
            no_topic,
        )
    finally:
        for port in (coretime, parachain):
            if port is not None:
                port.close()
    if as_json:
        record = export_record(built, action, net, calls)
        record["notes"] = notes
        record["message_for_compose_call"] = built.program.message
        typer.echo(json.dumps(record, indent=2, default=str))
        return
    _print(built, calls, net, notes)


def _build(
    action: Action,
    net: Network,
    renderer: XcmRenderer,
    coretime: ChainPort | None,
    parachain: ChainPort | None,
    version: int | None,
    weight: Weight | None,
    margin: int,
    fee: int | None,
    call: bytes | None,
    template: str,
    no_topic: bool,
) -> tuple[AutoRenewXcm, EncodedCalls, list[str]]:
    notes: list[str] = []
    caps = coretime.capabilities() if coretime else None
    choice = XcmVersionChoice.AUTO if version is None else XcmVersionChoice(str(version))
    chosen = choose_xcm_version(caps, choice)
    preflight = None
    if weight is None and coretime is not None:
        preflight = coretime.preflight(action.call, PREVIEW_SIGNER)
        weight = transact_weight(preflight, margin)
        notes.append(f"weight: TransactionPaymentCallApi estimate + {format_percent(margin)}")
    elif weight is None:
        weight = Weight(0, 0)
        notes.append("weight: not estimated (0, 0); pass --weight or --endpoint")
    encode: Encoder | None
    if call is not None:
        given = call

        def encode(_spec: CallSpec) -> bytes:
            return given  # the user's own encoding of the Broker call

        notes.append("inner call: given with --call (not checked against a runtime)")
    elif coretime is not None:
        encode = coretime.encode
    else:
        encode = None
        notes.append("inner call: not encoded (shown as 0x); pass --endpoint URL or --call HEX")
    values = XcmValues(
        para_id=action.para_id,
        coretime_para_id=net.coretime_para_id,
        version=chosen,
        fee=fee if fee is not None else default_fee(preflight, net.token),
        weight=weight,
        topic=None if no_topic else topic_for(action.id),
        template=template,
    )
    built = compose(action, values, renderer, encode)
    if parachain is None:
        calls = EncodedCalls(
            None,
            None,
            "pass --para-endpoint URL (your parachain's node): "
            "these calls are encoded against the parachain's own runtime",
        )
    else:
        calls = encode_parachain_calls(built, parachain_encoder(parachain, parachain))
    return built, calls, notes


def _print(built: AutoRenewXcm, calls: EncodedCalls, net: Network, notes: list[str]) -> None:
    v, inner = built.values, built.inner
    accounts = sovereign_accounts(v.para_id, net)
    args = ", ".join(f"{k}={val}" for k, val in inner.args.items())
    out = typer.echo
    out(f"auto-renew XCM for para {v.para_id} on {net.name} (nothing is sent)")
    out("")
    out(f"inner call       Broker.{inner.function}({args})")
    out(
        f"                 {'0x' + built.inner_call.hex() if built.inner_call else '(not encoded)'}"
    )
    out(f"weight           ref_time {v.weight.ref_time}, proof_size {v.weight.proof_size}")
    out(f"fee              {format_amount(v.fee, net.token)} ({v.fee} planck), surplus refunded")
    out(f"sibling account  {accounts.sibling_ss58} ({accounts.sibling_hex})")
    out("                 pays the fee and the renewals: fund it on the Coretime chain")
    out(
        f"XCM              v{v.version}, template {built.program.template} ({built.program.origin})"
    )
    out(f"destination      {location_text(built.dest.location[f'V{v.version}'])}")
    out("")
    out("program")
    for line in program_lines(built.program.program, net.token):
        out(f"  {line}")
    out("")
    out("program (JSON)")
    out(json.dumps(built.program.program, indent=2))
    out("")
    if calls.send is not None and calls.sudo is not None:
        out(f"PolkadotXcm.send(dest, message)  (propose this with Root)\n  0x{calls.send.hex()}")
        out(f"Sudo.sudo(PolkadotXcm.send(...))  (the `sudo` path)\n  0x{calls.sudo.hex()}")
    else:
        out(f"PolkadotXcm.send / Sudo.sudo: not encoded: {calls.problem}")
    for note in notes:
        out(f"note: {note}")


@render_app.command("templates")
def list_templates(
    ctx: typer.Context,
    templates: Annotated[
        Path | None,
        typer.Option("--templates", help="Folder of templates overriding the built-ins by name."),
    ] = None,
) -> None:
    """List the XCM templates by name and version, and where each comes from."""
    renderer = XcmRenderer(templates or state(ctx).settings().templates)
    typer.echo(f"built-in templates: {builtin_folder()}")
    for t in renderer.templates():
        typer.echo(f"  {t.name:<24} v{t.version}  {t.origin}")
