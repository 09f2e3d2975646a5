"""Sovereign accounts of a parachain, as raw 32-byte ids.

Why: the sibling account (``b"sibl" ++ u32_le(para)``, zero padded) pays auto-renewals on the
Coretime chain; the child account (``b"para" ++ ...``) lives on the relay. Raw ids are compared;
SS58 text is only for display (`agent.chain.addresses`).
"""

from __future__ import annotations


def _derive(prefix: bytes, para_id: int) -> str:
    if not 0 <= para_id < 2**32:
        raise ValueError(f"para id {para_id} is not a u32")
    raw = prefix + para_id.to_bytes(4, "little")
    return "0x" + raw.ljust(32, b"\0").hex()


def sibling_account(para_id: int) -> str:
    """The para's account on a sibling chain such as the Coretime chain."""
    return _derive(b"sibl", para_id)


def child_account(para_id: int) -> str:
    """The para's account on its relay chain."""
    return _derive(b"para", para_id)
