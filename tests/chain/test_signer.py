"""Signer secrets become keypairs and never show up again (no chain needed)."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from agent.chain.substrate.signer import Signers, keypair_from_secret
from agent.errors import SettingsError
from agent.model.port import ProxySpec, SignerSpec

ALICE_PUBLIC = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
DEV_PHRASE = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"
SEED = "0x" + "11" * 32


@pytest.mark.parametrize(
    "secret",
    ["//Alice", f"{DEV_PHRASE}//Alice", "  //Alice \n"],
    ids=["uri", "mnemonic-with-path", "padded"],
)
def test_secret_forms_give_the_same_key(secret: str) -> None:
    pair = keypair_from_secret("ops", secret, ss58_format=0)
    assert "0x" + pair.public_key.hex() == ALICE_PUBLIC


def test_a_hex_seed_and_a_bare_mnemonic_are_accepted() -> None:
    seeded = keypair_from_secret("ops", SEED, ss58_format=0)
    assert (
        seeded.public_key
        == keypair_from_secret("ops", SEED.upper().replace("0X", "0x"), 0).public_key
    )
    assert len(keypair_from_secret("ops", DEV_PHRASE, ss58_format=0).public_key) == 32


@pytest.mark.parametrize(
    "secret", ["not a valid phrase at all", "0x1234", "", "correct horse battery staple"]
)
def test_a_bad_secret_is_one_line_without_the_secret(
    secret: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SettingsError) as caught:
        Signers(0).keypair(SignerSpec("ops-renewer", SecretStr(secret)))
    text = caught.value.one_line()
    assert (
        text == "signer 'ops-renewer': the secret is not a valid URI (//Name), mnemonic or 0x seed"
    )
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert caught.value.exit_code == 2
    if secret:
        assert secret not in caplog.text and secret not in repr(caught.value)


def test_account_of_is_the_proxied_account_when_proxied() -> None:
    signers = Signers(0)
    plain = SignerSpec("a", SecretStr("//Alice"))
    real = "0x" + "22" * 32
    proxied = SignerSpec(
        "b", SecretStr("//Alice"), proxy=ProxySpec(real=real, proxy_type="CoretimeRenewer")
    )
    assert signers.account_of(plain) == ALICE_PUBLIC
    assert signers.account_of(proxied) == real
    assert signers.signing_account(proxied) == ALICE_PUBLIC
    assert "Alice" not in repr(proxied) and "//" not in repr(plain)


def test_a_bad_proxy_account_names_the_signer() -> None:
    spec = SignerSpec("b", SecretStr("//Alice"), proxy=ProxySpec(real="nonsense"))
    with pytest.raises(SettingsError, match="signer 'b': proxy account"):
        Signers(0).account_of(spec)
