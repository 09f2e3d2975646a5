"""sr25519 keypairs from signer secrets, and the account a signer pays from.

Why: the secret is read once, turned into a keypair, and never appears again: not in a repr, a
log line or an error (errors name the signer, and the library's exception, which may quote the
phrase, is dropped). Secrets may be a URI (``//Alice``, ``<mnemonic>//hard/soft``), a mnemonic,
or a ``0x`` 32-byte seed.
"""

from __future__ import annotations

import hashlib
import re

from substrateinterface import Keypair

from agent.chain.addresses import to_account_id
from agent.errors import SettingsError
from agent.model.port import SignerSpec

_SEED = re.compile(r"0x[0-9a-fA-F]{64}")


def keypair_from_secret(name: str, secret: str, ss58_format: int) -> Keypair:
    """The keypair for a secret; a bad secret is a one-line error naming only the signer."""
    text = secret.strip()
    try:
        if _SEED.fullmatch(text):
            return Keypair.create_from_seed(text, ss58_format=ss58_format)
        return Keypair.create_from_uri(text, ss58_format=ss58_format)
    except Exception:
        raise SettingsError(
            f"signer '{name}': the secret is not a valid URI (//Name), mnemonic or 0x seed"
        ) from None


class Signers:
    """Keypairs by signer, derived once (derivation costs milliseconds, signing happens often)."""

    def __init__(self, ss58_format: int) -> None:
        self._ss58 = ss58_format
        self._pairs: dict[tuple[str, str], Keypair] = {}

    def keypair(self, spec: SignerSpec) -> Keypair:
        secret = spec.secret.get_secret_value()
        key = (spec.name, hashlib.sha256(secret.encode()).hexdigest())
        pair = self._pairs.get(key)
        if pair is None:
            pair = keypair_from_secret(spec.name, secret, self._ss58)
            self._pairs[key] = pair
        return pair

    def signing_account(self, spec: SignerSpec) -> str:
        """The 0x account id that signs (and pays fees)."""
        return "0x" + bytes(self.keypair(spec).public_key).hex()

    def account_of(self, spec: SignerSpec) -> str:
        """The 0x account the action is paid from: the proxied account, else the signer."""
        if spec.proxy is not None:
            try:
                return to_account_id(spec.proxy.real)
            except ValueError as exc:
                raise SettingsError(f"signer '{spec.name}': proxy account: {exc}") from None
        return self.signing_account(spec)
