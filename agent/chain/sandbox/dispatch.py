"""Dispatch errors and events in the runtime's shapes, shared by the sandbox's pallets.

Why: the agent confirms actions by event and error *names*, so the sandbox uses the runtime's
pallet, variant and field names. Values follow substrate-interface's decoding (balances as
integers, a CoreMask as 10-byte ``0x`` hex, a RegionId as ``{begin, core, mask}``, an
assignment as ``{"Task": id}``, ``"Pool"`` or ``"Idle"``), except accounts, which are ``0x`` hex
public keys rather than SS58 text. Errors that are not module errors keep the runtime's
category as the pallet: ``Token.FundsUnavailable``, ``System.BadOrigin``, ``System.CallFiltered``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.model.chain import COMPLETE_MASK, AssignmentKind, Schedule, ScheduleItem
from agent.model.outcome import ChainEvent, ModuleError

BROKER_ERROR_DOCS = {
    "UnknownRegion": "The given region identity is not known.",
    "NotOwner": "The owner of the region is not the origin.",
    "PivotTooLate": "The pivot point of the partition at or after the end of the region.",
    "PivotTooEarly": "The pivot point of the partition at the beginning of the region.",
    "NoSales": "There is no sale happening currently.",
    "Overpriced": "The price limit is exceeded.",
    "Unavailable": "There are no cores available.",
    "SoldOut": "The sale limit has been reached.",
    "NotAllowed": "Invalid attempt to renew.",
    "Uninitialized": "This pallet has not yet been initialized.",
    "TooEarly": "The purchase cannot happen yet as the sale period is yet to begin.",
    "TooManyReservations": "The maximum amount of reservations has already been reached.",
    "TooManyLeases": "The maximum amount of leases has already been reached.",
    "LeaseNotFound": "The lease does not exist.",
    "IncompleteAssignment": "The workload assigned for renewal is incomplete.",
    "StillValid": "An item cannot be dropped because it is still valid.",
    "UnknownReservation": "No reservation of the given index exists.",
    "UnknownRenewal": "The renewal record cannot be found.",
    "AlreadyExpired": "The lease expiry time has already passed.",
    "InvalidConfig": "The configuration could not be applied because it is invalid.",
    "NoPermission": "The caller doesn't have the permission to enable or disable auto-renewal.",
    "TooManyAutoRenewals": "We reached the limit for auto-renewals.",
    "SovereignAccountNotFound": "Failed to get the sovereign account of a task.",
    "AutoRenewalNotEnabled": "Attempted to disable auto-renewal for a core that didn't have it.",
    "AssignmentNotFound": "Attempted to force remove an assignment that doesn't exist.",
}


class DispatchFailure(Exception):
    """A call failed inside the runtime: rolled back, its fee still paid."""

    def __init__(self, pallet: str, name: str, docs: str = "") -> None:
        super().__init__(f"{pallet}.{name}")
        self.error = ModuleError(pallet, name, docs)


def broker_error(name: str) -> DispatchFailure:
    return DispatchFailure("Broker", name, BROKER_ERROR_DOCS.get(name, ""))


def token_error(name: str) -> DispatchFailure:
    return DispatchFailure("Token", name)


BAD_ORIGIN = ("System", "BadOrigin")


def bad_origin() -> DispatchFailure:
    return DispatchFailure(*BAD_ORIGIN, "Bad origin")


Emit = Callable[[ChainEvent], None]


def event(pallet: str, name: str, **attributes: Any) -> ChainEvent:
    return ChainEvent(pallet, name, attributes)


def error_value(error: ModuleError) -> dict[str, Any]:
    """A dispatch error as an event field: ``{"Module": {"pallet", "error"}}`` or the category."""
    if error.pallet in ("Token", "Arithmetic"):
        return {error.pallet: error.name}
    if error.pallet == "System" and error.name == "BadOrigin":
        return {"BadOrigin": None}
    return {"Module": {"pallet": error.pallet, "error": error.name}}


def mask_hex(mask: int) -> str:
    return "0x" + mask.to_bytes(10, "big").hex()


def region_value(begin: int, core: int, mask: int) -> dict[str, Any]:
    return {"begin": begin, "core": core, "mask": mask_hex(mask)}


def assignment_value(item: ScheduleItem) -> Any:
    if item.kind is AssignmentKind.TASK:
        return {"Task": item.task}
    return "Pool" if item.kind is AssignmentKind.POOL else "Idle"


def schedule_value(schedule: Schedule) -> list[dict[str, Any]]:
    return [{"mask": mask_hex(i.mask), "assignment": assignment_value(i)} for i in schedule]


def task_schedule(task: int, mask: int = COMPLETE_MASK) -> Schedule:
    return (ScheduleItem(mask, AssignmentKind.TASK, task),)


class Sink:
    """Where a chain's events go; the chain points it at the current block or extrinsic."""

    def __init__(self) -> None:
        self.events: list[ChainEvent] = []

    def emit(self, item: ChainEvent) -> None:
        self.events.append(item)
