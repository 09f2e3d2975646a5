"""The conformance scenario: one script of sales, renewals and auto-renewals, run by any driver.

Why: the sandbox is trusted only as far as this script reaches, so it walks the whole bulk
coretime life cycle in about 45 blocks and records, block by block, whether the call succeeded,
the error name, the relay number and every Broker event with its fields:

- configure and `start_sales`; `purchase` in the interlude (`TooEarly`) and `renew` with no
  right (`NotAllowed`);
- in the lead-in (both branches of the price curve, with the runtime's rounding): the price of
  the next block is probed, then rolled back, and `purchase` is sent one planck under it
  (`Overpriced`) and at it; at the fixed price the same again (`Overpriced`, then success);
  the last core sells and the next buyer gets `SoldOut`;
- `assign` Final (renewal rights, `Renewable`), Provisional (none), and by a stranger
  (`NotOwner`); ideal cores sold is 62.5% of 4 (a Perbill tie, rounded down);
- rotation: unsold cores pooled, `CoreAssigned`, `HistoryInitialized`, the fixed Paseo prices;
- a manual `renew` in the interlude (next price ``max(old + 3.33%, end price)``), an
  `enable_auto_renew` that renews at once and moves the core, `NoPermission` for a stranger,
  `NotAllowed` without a hint, success with a hint, `disable_auto_renew` of another task's
  core (`NoPermission`), and a late `renew` at the fixed price (next price capped at the
  current sale price);
- a rotation where both auto-renewals renew from the sibling accounts, then one sibling is
  drained and the next rotation emits `AutoRenewalFailed` and drops its record.

At the end the Broker storage (sale, status, auto-renewals, potential renewals, regions,
workload) and the sibling balances are part of the transcript.
"""

from __future__ import annotations

from typing import Any

from agent.model.accounts import sibling_account
from tests.conformance.drivers import Driver, Step
from tests.support.devnet import PAS

HUGE = 10**20
START_RELAY = 2000
BOB, CHARLIE, DAVE, EVE, FERDIE = "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"
CONFIG = {
    "advance_notice": 2,
    "interlude_length": 6,
    "leadin_length": 7,
    "region_length": 3,
    "ideal_bulk_proportion": 625_000_000,
    "limit_cores_offered": None,
    "renewal_bump": 33_333_333,
    "contribution_timeout": 5,
}


class Transcript:
    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.steps: list[dict[str, Any]] = []

    def record(self, label: str, step: Step) -> Step:
        self.steps.append(
            {
                "step": label,
                "ok": step.ok,
                "error": step.error,
                "relay": step.relay,
                "events": step.events,
            }
        )
        return step

    def call(self, label: str, signer: str, function: str, **args: Any) -> Step:
        return self.record(label, self.driver.call(signer, "Broker", function, args))

    def sudo_as(self, label: str, para: int, function: str, **args: Any) -> Step:
        step = self.driver.sudo_as(sibling_account(para), "Broker", function, args)
        return self.record(label, step)

    def wait_until(self, label: str, relay: int) -> None:
        """New blocks until the next block's relay parent is at least ``relay``."""
        while self.driver.relay_number() + 2 < relay:
            self.record(label, self.driver.new_block())

    def rotate(self, label: str) -> None:
        sale, config = self.driver.sale(), self.driver.config()
        target = sale["region_begin"] * 80 - config["advance_notice"]
        step = self.record(
            f"{label}: jump", self.driver.jump_to(max(target, self.driver.relay_number() + 2))
        )
        for count in range(1, 13):
            if any(e["event"] == "Broker.SaleInitialized" for e in step.events):
                return
            step = self.record(f"{label}: block {count}", self.driver.new_block())
        raise AssertionError(f"{self.driver.name}: no SaleInitialized after {label}")


def _purchased(step: Step) -> dict[str, Any]:
    found = [e for e in step.events if e["event"] == "Broker.Purchased"]
    assert found, f"no Purchased event in {step}"
    return found[0]


def run(driver: Driver) -> dict[str, Any]:
    t = Transcript(driver)
    t.record("align the relay clock", driver.jump_to(START_RELAY))
    t.record("configure", driver.sudo("Broker", "configure", {"config": CONFIG}))
    t.record(
        "start sales",
        driver.sudo("Broker", "start_sales", {"end_price": 100 * PAS, "extra_cores": 4}),
    )
    t.call("purchase in the interlude", BOB, "purchase", price_limit=HUGE)
    t.call("renew without a right", BOB, "renew", core=0)
    sale = driver.sale()
    t.wait_until("wait for the lead-in", sale["sale_start"] + 1)

    saved = driver.checkpoint()
    probe = driver.call(BOB, "Broker", "purchase", {"price_limit": HUGE})
    price = _purchased(probe)["price"]
    driver.restore(saved)
    t.steps.append({"step": "probed lead-in price", "price": price, "relay": probe.relay})
    t.call("purchase one planck under the price", BOB, "purchase", price_limit=price - 1)
    bob = _purchased(t.call("purchase at the probed price", BOB, "purchase", price_limit=price))
    charlie = _purchased(
        t.call("purchase later in the lead-in", CHARLIE, "purchase", price_limit=HUGE)
    )

    t.wait_until("wait for the fixed price", sale["sale_start"] + sale["leadin_length"])
    end = sale["end_price"]
    t.call("purchase one planck under the end price", DAVE, "purchase", price_limit=end - 1)
    dave = _purchased(t.call("purchase at the end price", DAVE, "purchase", price_limit=end))
    eve = _purchased(t.call("purchase the last core", EVE, "purchase", price_limit=end))
    t.call("purchase when sold out", FERDIE, "purchase", price_limit=HUGE)

    final, provisional = "Final", "Provisional"
    t.call("assign Final", BOB, "assign", region_id=bob["region_id"], task=2000, finality=final)
    t.call(
        "assign Final", CHARLIE, "assign", region_id=charlie["region_id"], task=2001, finality=final
    )
    t.call("assign Final", DAVE, "assign", region_id=dave["region_id"], task=2002, finality=final)
    t.call(
        "assign Provisional",
        EVE,
        "assign",
        region_id=eve["region_id"],
        task=2003,
        finality=provisional,
    )
    t.call(
        "assign someone else's region",
        FERDIE,
        "assign",
        region_id=eve["region_id"],
        task=2004,
        finality=final,
    )

    t.rotate("rotation 1")
    sale = driver.sale()
    t.call("renew in the interlude", BOB, "renew", core=0)
    driver.set_balance(sibling_account(2002), 10**15)
    enabled = t.sudo_as(
        "enable auto-renew, renewable now",
        2002,
        "enable_auto_renew",
        core=2,
        task=2002,
        workload_end_hint=None,
    )
    moved_to = next(e["core"] for e in enabled.events if e["event"] == "Broker.AutoRenewalEnabled")
    t.call(
        "enable auto-renew as a stranger",
        BOB,
        "enable_auto_renew",
        core=0,
        task=2000,
        workload_end_hint=None,
    )
    driver.set_balance(sibling_account(2000), 10**15)
    t.sudo_as(
        "enable auto-renew without a hint",
        2000,
        "enable_auto_renew",
        core=0,
        task=2000,
        workload_end_hint=None,
    )
    t.sudo_as(
        "enable auto-renew with a hint",
        2000,
        "enable_auto_renew",
        core=0,
        task=2000,
        workload_end_hint=sale["region_end"],
    )
    t.sudo_as(
        "disable another task's auto-renew", 2000, "disable_auto_renew", core=moved_to, task=2000
    )
    t.wait_until("wait for the fixed price", sale["sale_start"] + sale["leadin_length"])
    t.call("renew late at the fixed price", CHARLIE, "renew", core=1)

    t.rotate("rotation 2 with auto-renewals")
    driver.set_balance(sibling_account(2002), 1 * PAS)
    t.rotate("rotation 3 with a drained sibling account")

    balances = {str(p): driver.free_balance(sibling_account(p)) for p in (2000, 2002)}
    return {"steps": t.steps, "storage": driver.storage(), "sibling_balances": balances}
