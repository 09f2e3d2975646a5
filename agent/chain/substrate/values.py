"""Decoded storage values (plain dicts from scalecodec, by field name) into the model's types.

Why: the planner sees integers and 0x account ids, never SCALE objects or SS58 text. CoreMask
bytes become an int with byte 0 most significant; accounts become raw 32-byte hex.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.chain.addresses import to_account_id
from agent.model.chain import (
    AssignmentKind,
    AutoRenewal,
    BrokerConfig,
    BrokerStatus,
    Lease,
    OnDemandState,
    PotentialRenewal,
    Region,
    SaleInfo,
    Schedule,
    ScheduleItem,
)


def mask_int(value: Any) -> int:
    """A CoreMask (``0x`` + 10 bytes, or bytes) as an 80-bit int, byte 0 most significant."""
    if isinstance(value, bytes | bytearray):
        return int.from_bytes(value, "big")
    if isinstance(value, list):
        return int.from_bytes(bytes(value), "big")
    return int(str(value).removeprefix("0x") or "0", 16)


def account(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    return to_account_id(str(value))


def optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _assignment(value: Any) -> tuple[AssignmentKind, int | None]:
    if isinstance(value, Mapping):
        if "Task" in value:
            return AssignmentKind.TASK, int(value["Task"])
        name = next(iter(value))
        return AssignmentKind(str(name).lower()), None
    return AssignmentKind(str(value).lower()), None


def schedule(value: Any) -> Schedule:
    items = []
    for item in value or []:
        kind, task = _assignment(item["assignment"])
        items.append(ScheduleItem(mask=mask_int(item["mask"]), kind=kind, task=task))
    return tuple(items)


def broker_config(value: Mapping[str, Any] | None) -> BrokerConfig | None:
    if value is None:
        return None
    return BrokerConfig(
        advance_notice=int(value["advance_notice"]),
        interlude_length=int(value["interlude_length"]),
        leadin_length=int(value["leadin_length"]),
        region_length=int(value["region_length"]),
        ideal_bulk_proportion=int(value["ideal_bulk_proportion"]),
        limit_cores_offered=optional_int(value["limit_cores_offered"]),
        renewal_bump=int(value["renewal_bump"]),
        contribution_timeout=int(value["contribution_timeout"]),
    )


def sale_info(value: Mapping[str, Any] | None, price_field: str) -> SaleInfo | None:
    if value is None:
        return None
    return SaleInfo(
        sale_start=int(value["sale_start"]),
        leadin_length=int(value["leadin_length"]),
        end_price=int(value[price_field]),
        region_begin=int(value["region_begin"]),
        region_end=int(value["region_end"]),
        ideal_cores_sold=int(value["ideal_cores_sold"]),
        cores_offered=int(value["cores_offered"]),
        first_core=int(value["first_core"]),
        sellout_price=optional_int(value["sellout_price"]),
        cores_sold=int(value["cores_sold"]),
    )


def broker_status(value: Mapping[str, Any] | None) -> BrokerStatus | None:
    if value is None:
        return None
    return BrokerStatus(
        core_count=int(value["core_count"]),
        private_pool_size=int(value["private_pool_size"]),
        system_pool_size=int(value["system_pool_size"]),
        last_committed_timeslice=int(value["last_committed_timeslice"]),
        last_timeslice=int(value["last_timeslice"]),
    )


def potential_renewal(key: Mapping[str, Any], value: Mapping[str, Any]) -> PotentialRenewal:
    completion = value["completion"]
    complete = isinstance(completion, Mapping) and "Complete" in completion
    return PotentialRenewal(
        core=int(key["core"]),
        when=int(key["when"]),
        price=int(value["price"]),
        complete=complete,
        workload=schedule(completion["Complete"]) if complete else (),
    )


def auto_renewals(value: Any) -> tuple[AutoRenewal, ...]:
    return tuple(
        AutoRenewal(core=int(r["core"]), task=int(r["task"]), next_renewal=int(r["next_renewal"]))
        for r in value or []
    )


def leases(value: Any) -> tuple[Lease, ...]:
    return tuple(Lease(task=int(r["task"]), until=int(r["until"])) for r in value or [])


def region(key: Mapping[str, Any], value: Mapping[str, Any]) -> Region:
    return Region(
        begin=int(key["begin"]),
        core=int(key["core"]),
        mask=mask_int(key["mask"]),
        end=int(value["end"]),
        owner=account(value["owner"]),
        paid=optional_int(value["paid"]),
    )


def free_balance(value: Mapping[str, Any] | None) -> int:
    return int(value["data"]["free"]) if value else 0


def on_demand(status: Mapping[str, Any] | None, active_config: Any) -> OnDemandState | None:
    """Relay on-demand inputs from `OrderStatus` (or v1 `QueueStatus`) and `ActiveConfig`."""
    if status is None or not isinstance(active_config, Mapping):
        return None
    params = active_config.get("scheduler_params", active_config)
    queue: Any = status.get("queue", ())
    if isinstance(queue, Mapping):  # BinaryHeap wrapper
        queue = queue.get("queue", ())
    if "queue" in status:
        queued = tuple(int(order["para_id"]) for order in queue or ())
        size = len(queued)
    else:  # storage v1: QueueStatus{traffic, next_index, smallest_index, freed_indices}
        queued = ()
        span = int(status.get("next_index", 0)) - int(status.get("smallest_index", 0))
        size = max(0, span % 2**32 - len(status.get("freed_indices", ())))
    return OnDemandState(
        traffic=int(status["traffic"]),
        base_fee=int(params["on_demand_base_fee"]),
        queue_size=size,
        max_queue_size=int(params["on_demand_queue_max_size"]),
        target_queue_utilization=int(params["on_demand_target_queue_utilization"]),
        fee_variability=int(params["on_demand_fee_variability"]),
        queued_paras=queued,
    )


def lifecycle(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return str(next(iter(value)))
    return str(value)
