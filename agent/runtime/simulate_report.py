"""The forecast's three forms: a rich table, a CSV file and a PNG chart, plus JSON.

Why: the table is for reading in a terminal, the CSV for a spreadsheet (exact planck next to
readable amounts), the chart for a review: price and cumulative spend against the budget
lines, one panel per policy. Amounts are integer planck everywhere except on the chart's axes,
where they become token floats for drawing only.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from agent.guard.budget import label
from agent.model.money import Token, format_amount
from agent.model.policy import LoadedPolicy, PeriodKind
from agent.runtime.simulate import Did, Row, SimulateResult

CSV_COLUMNS = (
    "sale",
    "begins_utc",
    "network",
    "policy",
    "para_id",
    "token",
    "end_price_planck",
    "end_price",
    "actions",
    "note",
    "paid_planck",
    "paid",
    "sibling_paid_planck",
    "refused",
    "refused_reasons",
    "cumulative_planck",
    "cumulative",
    "budgets_planck",
    "budgets",
)


def _token(row: Row) -> Token:
    return row.policy.network.token


def budget_lines(row: Row) -> list[str]:
    """``used / limit per period (share)`` for each of the policy's limits."""
    token = _token(row)
    out = []
    for limit, used in zip(row.policy.policy.spec.budget.limits, row.budgets, strict=True):
        cap = limit.amount.planck
        share = used * 100 // cap if cap else 0
        out.append(
            f"{format_amount(used, token)} / {format_amount(cap, token)} "
            f"{label(limit.period)} ({share}%)"
        )
    return out


def short(planck: int, token: Token) -> str:
    """An amount rounded for a table cell (2 decimals, or 4 below one token); the CSV is exact."""
    places = 2 if planck >= token.unit else 4
    value = (Decimal(planck) / Decimal(token.unit)).quantize(Decimal(1).scaleb(-places))
    text = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
    return f"{text} {token.symbol}"


def did_text(did: Did, token: Token, *, exact: bool = False) -> str:
    if did.amount is None:
        return did.what
    amount = format_amount(did.amount, token) if exact else short(did.amount, token)
    return f"{did.what} {amount}"


def budget_shares(row: Row) -> str:
    """``52% sale · 78% total``: each limit's use when the sale ends."""
    parts = []
    for limit, used in zip(row.policy.policy.spec.budget.limits, row.budgets, strict=True):
        cap = limit.amount.planck
        parts.append(f"{used * 100 // cap if cap else 0}% {limit.period}")
    return " · ".join(parts) or "-"


def _quiet(row: Row) -> bool:
    return not (row.actions or row.paid or row.refused)


def _runs(rows: list[Row]) -> list[tuple[Row, Row]]:
    """Rows of one policy, with runs of quiet sales merged into (first, last) pairs."""
    out: list[tuple[Row, Row]] = []
    for row in rows:
        if out and _quiet(row) and _quiet(out[-1][1]) and out[-1][1].sale + 1 == row.sale:
            out[-1] = (out[-1][0], row)
        else:
            out.append((row, row))
    return out


def _price_span(first: Row, last: Row, token: Token) -> str:
    if first.end_price == last.end_price:
        return short(last.end_price, token)
    return f"{short(first.end_price, token)}–{short(last.end_price, token)}"


def table(result: SimulateResult) -> Table:
    title = (
        f"Forecast: {result.sales} sales, scenario '{result.scenario}', current end price "
        f"{result.start_price} tokens; amounts rounded (the CSV is exact)"
    )
    out = Table(title=title, title_justify="left")
    out.add_column("sale", no_wrap=True)
    out.add_column("policy")
    out.add_column("end price", justify="right", no_wrap=True)
    out.add_column("actions")
    out.add_column("paid", justify="right", no_wrap=True)
    out.add_column("refused")
    out.add_column("cumulative", justify="right", no_wrap=True)
    out.add_column("budget used")
    for loaded in result.policies.policies:
        mine = [r for r in result.rows if r.policy is loaded]
        if not mine:
            continue
        token = loaded.network.token
        for i, (first, last) in enumerate(_runs(mine)):
            sale = "now" if first.sale == 0 else str(first.sale)
            if last is not first:
                sale = f"{sale}–{last.sale}"
            refused = ""
            if last.refused:
                refused = f"{last.refused}× {last.reasons[0]}"
                if len(last.reasons) > 1:
                    refused += f" (+{len(last.reasons) - 1} more)"
            name = f"{loaded.name}\n{loaded.network.name} {loaded.para_id}" if i == 0 else ""
            out.add_row(
                sale,
                name,
                _price_span(first, last, token),
                "\n".join(did_text(d, token) for d in last.actions)
                or Text(last.note or "-", style="dim"),
                short(last.paid, token),
                Text(refused, style="red") if refused else "-",
                short(last.cumulative, token),
                budget_shares(last),
            )
        out.add_section()
    return out


def csv_rows(result: SimulateResult) -> list[dict[str, str]]:
    out = []
    for row in result.rows:
        token = _token(row)
        limits = row.policy.policy.spec.budget.limits
        out.append(
            {
                "sale": str(row.sale),
                "begins_utc": row.begins.isoformat(),
                "network": row.policy.network.name,
                "policy": row.policy.name,
                "para_id": str(row.policy.para_id),
                "token": token.symbol,
                "end_price_planck": str(row.end_price),
                "end_price": format_amount(row.end_price, token),
                "actions": "; ".join(did_text(d, token, exact=True) for d in row.actions),
                "note": row.note,
                "paid_planck": str(row.paid),
                "paid": format_amount(row.paid, token),
                "sibling_paid_planck": str(row.sibling_paid),
                "refused": str(row.refused),
                "refused_reasons": " | ".join(row.reasons),
                "cumulative_planck": str(row.cumulative),
                "cumulative": format_amount(row.cumulative, token),
                "budgets_planck": ";".join(
                    f"{lim.period}:{used}/{lim.amount.planck}"
                    for lim, used in zip(limits, row.budgets, strict=True)
                ),
                "budgets": "; ".join(budget_lines(row)),
            }
        )
    return out


def write_csv(result: SimulateResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(csv_rows(result))


def as_json(result: SimulateResult) -> dict[str, Any]:
    return {
        "scenario": result.scenario,
        "sales": result.sales,
        "start_price_tokens": result.start_price,
        "elapsed_seconds": round(result.elapsed, 2),
        "rows": csv_rows(result),
        "totals": [
            {
                "policy": loaded.name,
                "network": loaded.network.name,
                "paid_planck": str(sum(r.paid for r in result.rows if r.policy is loaded)),
                "sibling_paid_planck": str(
                    sum(r.sibling_paid for r in result.rows if r.policy is loaded)
                ),
                "refused": sum(r.refused for r in result.rows if r.policy is loaded),
            }
            for loaded in result.policies.policies
        ],
    }


def _tokens(planck: int, token: Token) -> float:
    """Planck as a token float, for drawing only (never for money decisions)."""
    return float(Decimal(planck) / Decimal(token.unit))


def write_chart(result: SimulateResult, path: Path) -> None:
    """One panel per policy, all in its token: spend per sale (bars), cumulative spend (steps),
    budget limits (dashed; rolling and monthly use dotted), and each sale's end price."""
    # Imported here, not at the top: matplotlib takes half a second to load and only --chart
    # needs it (the table and CSV must stay quick). The Agg canvas draws without a display.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    policies = list(result.policies.policies)
    height = 2.8 * len(policies) + 1.0
    fig = Figure(figsize=(9, height), dpi=90)
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(policies), 1, squeeze=False)
    fig.subplots_adjust(
        left=0.08, right=0.97, top=1 - 0.95 / height, bottom=0.5 / height, hspace=0.55
    )
    for ax, loaded in zip(axes[:, 0], policies, strict=True):
        _panel(ax, loaded, [r for r in result.rows if r.policy is loaded])
    fig.suptitle(f"coretime-agent simulate: {result.sales} sales, scenario {result.scenario}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")


def _panel(ax: Any, loaded: LoadedPolicy, rows: list[Row]) -> None:
    token = loaded.network.token
    xs = [r.sale for r in rows]
    ax.bar(xs, [_tokens(r.paid, token) for r in rows], color="#9ecae1", label="paid in the sale")
    ax.step(
        xs,
        [_tokens(r.cumulative, token) for r in rows],
        where="mid",
        color="#08519c",
        label="cumulative",
    )
    styles = {PeriodKind.SALE: "#e6550d", PeriodKind.TOTAL: "#a50f15"}
    for i, limit in enumerate(loaded.policy.spec.budget.limits):
        color = styles.get(limit.period.kind, "#756bb1")
        ax.axhline(
            _tokens(limit.amount.planck, token),
            color=color,
            linestyle="--",
            linewidth=1,
            label=f"limit {format_amount(limit.amount.planck, token)} {label(limit.period)}",
        )
        if limit.period.kind not in styles:
            used = [_tokens(r.budgets[i], token) for r in rows]
            ax.plot(xs, used, color=color, linestyle=":", label=f"used {label(limit.period)}")
    if any(r.sibling_paid for r in rows):
        sibling = [_tokens(r.sibling_paid, token) for r in rows]
        ax.plot(
            xs, sibling, color="#636363", marker="x", linestyle="", label="sibling paid (chain)"
        )
    ax.plot(
        xs,
        [_tokens(r.end_price, token) for r in rows],
        color="#31a354",
        marker="o",
        markersize=3,
        label="sale end price",
    )
    ax.set_title(f"{loaded.name} ({loaded.network.name} para {loaded.para_id})", fontsize=10)
    ax.set_xlabel("sale (0: now)")
    ax.set_ylabel(token.symbol)
    ax.legend(fontsize=7, loc="upper left")
