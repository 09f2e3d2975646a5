"""The sandbox's accelerated clock: producing blocks, and skipping the ones where nothing happens.

Why: the caller moves time explicitly (no threads, no wall clock). Each Coretime block advances
the relay parent by 2, as in chopsticks, and runs the Broker tick with the previous block's relay
number. Forecasting a year of sales block by block would take millions of blocks, so quiet
blocks are skipped in bulk: a block whose tick commits no timeslice does nothing, and while a
block's events would be forgotten anyway (older than `keep_blocks` at the end of the advance),
timeslice commits that touch no workplan, pool or sale are batched too. Skipping is exact:
the state after it is the state block-by-block stepping would reach; only forgotten events are
not materialised.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

from agent.chain.sandbox.broker_tick import tick
from agent.chain.sandbox.dispatch import Sink
from agent.chain.sandbox.relay import busy, relay_block
from agent.chain.sandbox.snapshot import block_hash
from agent.chain.sandbox.world import Env, World
from agent.model.outcome import ChainEvent


@dataclass
class BlockRecord:
    number: int
    relay_parent: int  # the relay block itself, for relay records
    hash: str
    events: list[ChainEvent]


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


class Timeline:
    """Produces Coretime blocks over a `World`; keeps the recent blocks' events of both chains."""

    def __init__(self, world: World, env: Env, keep_blocks: int) -> None:
        self.world = world
        self.coretime_sink = Sink()
        self.relay_sink = Sink()
        self.env = replace(env, emit=self.coretime_sink.emit)
        self.relay_env = replace(env, emit=self.relay_sink.emit)
        self.keep_blocks = keep_blocks
        self.coretime_log: deque[BlockRecord] = deque(maxlen=keep_blocks)
        self.relay_log: deque[BlockRecord] = deque(maxlen=keep_blocks)

    # -- producing ----------------------------------------------------------------------------
    def produce_block(self, relay_parent: int) -> BlockRecord:
        """One Coretime block with the given relay parent (a jump, like `dev_newBlock`)."""
        clock = self.world.clock
        if relay_parent <= clock.relay:
            raise ValueError(f"relay parent {relay_parent} is not after {clock.relay}")
        self._run_relay(relay_parent)
        previous = clock.relay
        clock.block += 1
        clock.prev_relay, clock.relay = previous, relay_parent
        record = BlockRecord(
            clock.block, relay_parent, block_hash("coretime", clock.block, clock.epoch), []
        )
        self.coretime_sink.events = record.events
        tick(self.world, self.env, previous)
        self.coretime_log.append(record)
        return record

    def relay_record(self, number: int) -> BlockRecord:
        """The log record of relay block ``number`` (created for an extrinsic's events)."""
        if self.relay_log and self.relay_log[-1].number == number:
            return self.relay_log[-1]
        record = BlockRecord(
            number, number, block_hash("relay", number, self.world.clock.epoch), []
        )
        self.relay_log.append(record)
        return record

    def _run_relay(self, upto: int) -> None:
        clock = self.world.clock
        number = clock.relay_processed + 1
        while number <= upto and busy(self.world, self.env):
            record = BlockRecord(number, number, block_hash("relay", number, clock.epoch), [])
            self.relay_sink.events = record.events
            relay_block(self.world, self.relay_env, number, self.relay_sink.emit)
            if record.events:
                self.relay_log.append(record)
            number += 1
        clock.relay_processed = max(clock.relay_processed, upto)

    # -- advancing ----------------------------------------------------------------------------
    def advance_to(self, target: int) -> None:
        """Produce blocks (+2 relay each) until the relay parent reaches ``target``."""
        clock = self.world.clock
        needed = ceil_div(target - clock.relay, 2)
        if needed <= 0:
            return
        first_kept = clock.block + needed - self.keep_blocks + 1
        while clock.relay < target:
            remaining = ceil_div(target - clock.relay, 2)
            if busy(self.world, self.env):
                self.produce_block(clock.relay + 2)
                continue
            forgotten = max(0, first_kept - (clock.block + 1))
            count = self._skippable(remaining, forgotten)
            if count > 0:
                self._skip(count)
            else:
                self.produce_block(clock.relay + 2)

    def _blocks_before(self, timeslice: int) -> int:
        """How many next blocks commit nothing at or after ``timeslice``."""
        st, clock = self.world.broker, self.world.clock
        assert st.status is not None and st.config is not None
        committed = st.status.last_committed_timeslice
        period = self.env.limits.timeslice_period
        by_catch_up = timeslice - 1 - committed
        by_clock = ceil_div(timeslice * period - st.config.advance_notice - clock.relay, 2)
        return max(by_catch_up, by_clock, 0)

    def _next_eventful_commit(self) -> int | None:
        """The first timeslice whose commit does more than note itself."""
        st = self.world.broker
        assert st.status is not None
        committed = st.status.last_committed_timeslice
        candidates = [ts for ts, _ in st.workplan if ts > committed]
        candidates += [ts for ts in st.pool_io if ts > committed]
        if st.sale is not None:
            candidates.append(st.sale.region_begin)
        if st.core_count_inbox is not None:
            candidates.append(committed + 1)
        return max(min(candidates), committed + 1) if candidates else None

    def _skippable(self, limit: int, forgotten: int) -> int:
        st = self.world.broker
        if st.status is None or st.config is None:
            return limit
        count = min(self._blocks_before(st.status.last_committed_timeslice + 1), limit)
        if forgotten > 0:
            eventful = self._next_eventful_commit()
            free = limit if eventful is None else self._blocks_before(eventful)
            count = max(count, min(free, limit, forgotten))
        return count

    def _skip(self, count: int) -> None:
        """Jump over ``count`` blocks known to change nothing but the commit counters."""
        st, clock = self.world.broker, self.world.clock
        last_now = clock.relay + 2 * (count - 1)
        if st.status is not None and st.config is not None:
            period = self.env.limits.timeslice_period
            status = st.status
            committed = status.last_committed_timeslice
            ready = (last_now + st.config.advance_notice) // period
            st.status = replace(
                status,
                last_committed_timeslice=max(committed, min(committed + count, ready)),
                last_timeslice=max(
                    status.last_timeslice,
                    min(status.last_timeslice + count, last_now // period),
                ),
            )
        clock.block += count
        clock.prev_relay, clock.relay = last_now, last_now + 2
        clock.relay_processed = max(clock.relay_processed, clock.relay)
