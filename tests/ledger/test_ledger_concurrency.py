"""Two OS processes, each with its own engine, racing on one policy's budget."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from agent.ledger import SCHEMA_VERSION, IntentStatus, Ledger
from tests.ledger.ledger_helpers import NOW
from tests.ledger.ledger_workers import POLICY, hammer, open_at

TRIES, COST, LIMIT = 40, 10, 100


def test_two_processes_never_exceed_a_shared_limit(ledger_url: str) -> None:
    Ledger(ledger_url).close()  # migrated up front: the race is about budgets only
    start_at = time.time() + 3.0  # both workers begin together, after their imports
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(hammer, ledger_url, w, TRIES, LIMIT, COST, start_at) for w in (1, 2)]
        results = [f.result(timeout=180) for f in futures]
    assert all(admitted + refused == TRIES for admitted, refused, _ in results)
    assert [over for _, _, over in results] == [0, 0]  # no view was ever over the limit
    with Ledger(ledger_url) as book:
        view = book.view(now=NOW)
        history = book.history(POLICY, limit=1000)
    counted = sum(e.planck for e in view.entries)
    assert counted <= LIMIT
    assert len(history) == sum(admitted for admitted, _, _ in results)
    assert sum(refused for _, refused, _ in results) > 0
    assert len(history) > LIMIT // COST  # freed budget was taken again and again
    spent = sum(r.spent or 0 for r in history if r.status is IntentStatus.FAILED)
    reserved = sum(r.reserved for r in history if r.status is IntentStatus.OPEN)
    assert spent + reserved == counted


def test_two_processes_migrating_at_once_both_succeed(ledger_url: str) -> None:
    start_at = time.time() + 3.0
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        versions = list(pool.map(open_at, [ledger_url] * 2, [start_at] * 2, timeout=180))
    assert versions == [SCHEMA_VERSION, SCHEMA_VERSION]
    with Ledger(ledger_url) as book, book._db.read() as conn:
        rows = conn.exec_driver_sql("SELECT version FROM schema_version ORDER BY version").all()
    assert [r[0] for r in rows] == list(range(1, SCHEMA_VERSION + 1))
