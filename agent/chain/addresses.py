"""SS58 text for 0x account ids, and back, through scalecodec (never hand-rolled)."""

from __future__ import annotations

from scalecodec.utils.ss58 import ss58_decode, ss58_encode


def to_ss58(account_hex: str, prefix: int) -> str:
    return str(ss58_encode(account_hex, ss58_format=prefix))


def to_account_id(address: str) -> str:
    """Accept SS58 (any prefix) or 0x hex; return 0x hex of the 32-byte public key."""
    text = address.strip()
    if text.startswith("0x"):
        raw = bytes.fromhex(text[2:])
        if len(raw) != 32:
            raise ValueError(f"'{address}' is not a 32-byte account id")
        return "0x" + raw.hex()
    try:
        return "0x" + str(ss58_decode(text))
    except ValueError as exc:
        raise ValueError(f"'{address}' is not an SS58 address or 0x account id: {exc}") from None
