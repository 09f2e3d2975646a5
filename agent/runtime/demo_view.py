"""How the demo looks: the live view (rich), the closing summary, and the JSON report.

Why: the demo is read by a person in a terminal and by a test in JSON; both come from the same
`DemoRecorder` and `DemoResult`, so what the screen shows is what the test asserts.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from agent.guard.budget import label
from agent.model.actions import Alert
from agent.model.money import Token, format_amount
from agent.runtime.demo import DemoResult
from agent.runtime.demo_record import ActionLine, DemoRecorder

_STATUS_STYLE = {"included": "green", "failed": "red", "invalid": "red", "unknown": "yellow"}


def _money(planck: int, token: Token) -> str:
    return format_amount(planck, token)


def _token(recorder: DemoRecorder) -> Token:
    return recorder.policies.policies[0].network.token


def live_view(recorder: DemoRecorder, elapsed: float) -> RenderableType:
    """The screen while the demo runs: sale, latest actions, budgets, chain and alerts."""
    token = _token(recorder)
    with recorder.lock:
        status = recorder.status
        actions = grouped(recorder.actions[-200:])[-8:]
        alerts = recorder.alerts[-100:]
        ticks = recorder.ticks
    head = Text()
    if status is not None:
        head.append(f"relay #{status.relay_block}  ", style="bold")
        head.append(f"sale {status.sale} · {status.phase}  ", style="cyan")
        head.append(f"core price now {_money(status.price_now, token)}  ")
        head.append(f"end price {_money(status.end_price, token)}  ")
        head.append(f"spot {_money(status.spot_price, token)}\n")
        head.append(f"simulated {status.at:%Y-%m-%d %H:%M} UTC · ", style="dim")
    head.append(f"{ticks} ticks · {elapsed:.1f} s", style="dim")
    table = Table(title="Actions (latest)", expand=True, title_justify="left")
    for col in ("relay", "sale", "policy", "action", "outcome", "paid"):
        table.add_column(col, no_wrap=col != "policy")
    for a, count in actions:
        style = _STATUS_STYLE.get(a.status, "")
        kind = a.kind if count == 1 else f"{a.kind} ×{count}"
        table.add_row(
            str(a.relay_block),
            str(a.sale),
            a.policy,
            kind,
            Text(a.status, style=style),
            _money(a.paid, token),
        )
    parts: list[RenderableType] = [
        Panel(head, title="coretime-agent demo · the daemon against the sandbox"),
        table,
        budget_table(recorder),
        chain_lines(recorder),
    ]
    latest: dict[tuple[str, str], tuple[int, Alert, int]] = {}
    for relay, alert in alerts:
        key = (alert.policy, alert.kind.value)
        seen = latest.pop(key, None)
        latest[key] = (relay, alert, 1 + (seen[2] if seen else 0))
    lines = Text()
    for relay, alert, count in list(latest.values())[-6:]:
        style = "red" if alert.severity.value == "critical" else "yellow"
        times = f" (×{count})" if count > 1 else ""
        lines.append(
            f"#{relay} {alert.kind.value}{times} {alert.policy}: {alert.message}\n", style=style
        )
    parts.append(Panel(lines, title="Alerts (latest)"))
    return Group(*parts)


def grouped(actions: list[ActionLine]) -> list[tuple[ActionLine, int]]:
    """Runs of the same policy, kind and outcome as one line: the latest, its count, their sum."""
    out: list[tuple[ActionLine, int]] = []
    for a in actions:
        if out:
            last, count = out[-1]
            if (last.policy, last.kind, last.status) == (a.policy, a.kind, a.status):
                out[-1] = (replace(a, paid=last.paid + a.paid), count + 1)
                continue
        out.append((a, 1))
    return out


def budget_table(recorder: DemoRecorder) -> Table:
    token = _token(recorder)
    table = Table(title="Budget used per policy", expand=True, title_justify="left")
    for col in ("policy", "para", "limit", "used"):
        table.add_column(col)
    status = recorder.status
    for loaded in recorder.policies.policies:
        limits = loaded.policy.spec.budget.limits
        if not limits or status is None:
            continue
        used = recorder.budget_use(loaded, status.at, status.region_begin)
        for limit, planck in zip(limits, used, strict=True):
            cap = limit.amount.planck
            style = "red" if planck * 10 >= cap * 9 else ""
            table.add_row(
                loaded.name,
                str(loaded.para_id),
                f"{_money(cap, token)} {label(limit.period)}",
                Text(f"{_money(planck, token)} ({planck * 100 // max(cap, 1)}%)", style=style),
            )
    return table


def chain_lines(recorder: DemoRecorder) -> Panel:
    token = _token(recorder)
    watch = recorder.watch
    lines: list[tuple[int, int, str, str]] = []
    for r in watch.rotations:
        what = f"sale {r.sale} opens, end price {_money(r.end_price, token)}"
        lines.append((r.relay_block, 0, what, ""))
    for a in watch.auto_renewed:
        what = (
            f"the chain auto-renews core {a.core} of para {a.para_id} for "
            f"{_money(a.price, token)}, paid by the para's sibling account"
        )
        lines.append((a.relay_block, 1, what, "green"))
    for relay, sale, core in watch.auto_failed:
        lines.append((relay, 2, f"sale {sale}: auto-renewal of core {core} failed", "red"))
    text = Text()
    for relay, _, what, style in sorted(lines)[-9:]:
        text.append(f"#{relay} {what}\n", style=style)
    return Panel(text or Text("no rotation yet", style="dim"), title="Chain (by itself)")


def summary_view(result: DemoResult) -> RenderableType:
    """The closing screen: the ledger's summary, the chain's auto-renewals, refusals, verdict."""
    rec = result.recorder
    token = _token(rec)
    spend = Table(title=f"Ledger: spend per policy ({result.ledger_url})", title_justify="left")
    for col in ("policy", "para", "spent in total", "in its latest sale", "reserved"):
        spend.add_column(col)
    paras = {p.name: p.para_id for p in rec.policies.policies}
    for s in result.ledger.spend:
        spend.add_row(
            s.policy,
            str(paras.get(s.policy, "")),
            _money(s.total, token),
            _money(s.this_sale, token),
            _money(s.reserved, token),
        )
    kinds = Table(title="Ledger: actions by kind and outcome", title_justify="left")
    for col in ("action", "outcome", "count"):
        kinds.add_column(col)
    for (kind, status), count in result.ledger.actions.items():
        kinds.add_row(kind, Text(status, style=_STATUS_STYLE.get(status, "")), str(count))
    refused = Table(
        title="Refused (by the caps and the budgets)", title_justify="left", expand=True
    )
    for col, ratio in (("policy", 2), ("what", 2), ("why", 1), ("times", 1), ("last reason", 5)):
        refused.add_column(col, ratio=ratio)
    for r in rec.refusals.values():
        refused.add_row(r.policy, r.what, r.category, str(r.count), r.reason)
    checks = Table(title="What the demo had to show", title_justify="left")
    for col in ("check", "", "detail"):
        checks.add_column(col)
    for c in result.checks:
        checks.add_row(
            c.name, Text("ok" if c.ok else "MISSING", style="green" if c.ok else "red"), c.detail
        )
    return Group(spend, kinds, chain_lines(rec), refused, checks, Text(verdict(result)))


def verdict(result: DemoResult) -> str:
    sales = len(result.recorder.watch.rotations)
    where = f"{sales} sale(s), {result.recorder.ticks} ticks, {result.elapsed:.1f} s"
    if result.ok:
        return (
            f"demo ok: renewal, on-chain auto-renewal, on-demand orders and refusals, "
            f"all by the daemon against the sandbox ({where})"
        )
    missing = [c.name for c in result.checks if not c.ok]
    why = result.error or f"missing: {', '.join(missing)}"
    return f"demo FAILED: {why} ({where})"


def summary_json(result: DemoResult) -> dict[str, Any]:
    rec = result.recorder
    token = _token(rec)
    return {
        "ok": result.ok,
        "verdict": verdict(result),
        "elapsed_seconds": round(result.elapsed, 2),
        "network": result.network,
        "token": token.symbol,
        "sales": len(rec.watch.rotations),
        "ticks": rec.ticks,
        "error": result.error,
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in result.checks},
        "ledger": {
            "policies": [
                {
                    "policy": s.policy,
                    "spent_total_planck": str(s.total),
                    "spent_total": _money(s.total, token),
                    "spent_last_sale_planck": str(s.this_sale),
                    "reserved_planck": str(s.reserved),
                }
                for s in result.ledger.spend
            ],
            "actions": [
                {"kind": kind, "outcome": status, "count": count}
                for (kind, status), count in result.ledger.actions.items()
            ],
        },
        "auto_renewals": [
            {"sale": a.sale, "para_id": a.para_id, "core": a.core, "price_planck": str(a.price)}
            for a in rec.watch.auto_renewed
        ],
        "rotations": [
            {"sale": r.sale, "relay_block": r.relay_block, "end_price_planck": str(r.end_price)}
            for r in rec.watch.rotations
        ],
        "refused": [
            {
                "policy": r.policy,
                "what": r.what,
                "category": r.category,
                "times": r.count,
                "reason": r.reason,
            }
            for r in rec.refusals.values()
        ],
    }
