"""The devnet harness itself behaves: sales start, time jumps, state resets between tests."""

from __future__ import annotations

import pytest

from tests.support.devnet import PAS, Devnet

pytestmark = pytest.mark.chain


def test_start_sales_and_rotate(devnet: Devnet) -> None:
    devnet.configure_broker()
    devnet.start_sales(end_price=100 * PAS, extra_cores=2)
    sale = devnet.sale_info()
    assert sale["cores_offered"] == 2
    events = devnet.rotate_sale()
    names = [e[1] for e in events if e[0] == "Broker"]
    assert "SaleInitialized" in names
    assert devnet.sale_info()["region_begin"] == sale["region_end"]


def test_state_was_reset(devnet: Devnet) -> None:
    assert devnet.api.query("Broker", "SaleInfo").value is None
