"""Signer secrets to account ids, exactly as on a real chain (sr25519 via substrate-interface).

Why: ``//Alice`` must be the same account in the sandbox as on chopsticks, so balances and event
fields line up. Secrets are used once to derive the public key and never stored or printed;
the cache is keyed by a hash of the secret.
"""

from __future__ import annotations

import hashlib
import re

from pydantic import SecretStr
from substrateinterface import Keypair

from agent.errors import SettingsError

_HEX_SEED = re.compile(r"^0x[0-9a-fA-F]{64}$")


class KeyRing:
    def __init__(self) -> None:
        self._accounts: dict[str, str] = {}

    def account(self, secret: SecretStr | str, name: str = "signer") -> str:
        """The 0x account id of a URI (``//Alice``), a mnemonic or a 32-byte hex seed."""
        text = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        key = hashlib.sha256(text.encode()).hexdigest()
        cached = self._accounts.get(key)
        if cached is not None:
            return cached
        try:
            pair = (
                Keypair.create_from_seed(text)
                if _HEX_SEED.match(text)
                else Keypair.create_from_uri(text)
            )
        except Exception:
            raise SettingsError(
                f"the secret of signer '{name}' is not a URI, mnemonic or 32-byte hex seed",
                hint="use //Name for a dev key",
            ) from None
        account = "0x" + bytes(pair.public_key).hex()
        self._accounts[key] = account
        return account
