"""Properties of exact money and percentages: round trips hold and no float ever appears."""

from __future__ import annotations

import json
from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.model.money import (
    MAX_PLANCK,
    PERBILL,
    Amount,
    AmountError,
    Token,
    format_amount,
    format_percent,
    parse_amount,
    parse_percent,
)
from agent.model.network import NetworkRegistry
from agent.model.policy import CoretimePolicy

tokens = st.builds(
    Token,
    symbol=st.sampled_from(["DOT", "KSM", "WND", "PAS", "ROC"]),
    decimals=st.sampled_from([0, 1, 6, 10, 12, 18]),
)
plancks = st.integers(min_value=0, max_value=MAX_PLANCK)


@given(planck=plancks, token=tokens)
def test_parse_of_format_is_the_same_planck(planck: int, token: Token) -> None:
    parsed = parse_amount(format_amount(planck, token), token)
    assert parsed == Amount(planck, token)
    assert type(parsed.planck) is int


@given(planck=plancks, token=tokens)
def test_format_of_parse_is_canonical(planck: int, token: Token) -> None:
    """Other spellings of one amount (zero padding, `_` groups, case, spaces) format alike."""
    text = format_amount(planck, token)
    number, symbol = text.split(" ")
    whole, _, frac = number.partition(".")
    spellings = [
        f"{whole}.{frac}000 {symbol}",
        f"  {number}\t{symbol.lower()}  ",
        f"{int(whole):_}{'.' + frac if frac else ''} {symbol}",
    ]
    for spelling in spellings:
        assert format_amount(parse_amount(spelling, token).planck, token) == text


@given(planck=plancks, token=tokens)
def test_bare_integers_are_planck(planck: int, token: Token) -> None:
    assert parse_amount(planck, token).planck == planck
    assert parse_amount(str(planck), token).planck == planck


@given(planck=st.integers(min_value=MAX_PLANCK + 1, max_value=MAX_PLANCK * 10), token=tokens)
def test_beyond_u128_is_refused(planck: int, token: Token) -> None:
    with pytest.raises(AmountError, match="larger than any balance"):
        parse_amount(planck, token)
    with pytest.raises(AmountError, match="larger than any balance"):
        parse_amount(format_amount(planck, token), token)


@given(planck=st.integers(min_value=1, max_value=MAX_PLANCK), token=tokens)
def test_negative_amounts_are_refused(planck: int, token: Token) -> None:
    with pytest.raises(AmountError, match="negative"):
        parse_amount(-planck, token)
    with pytest.raises(AmountError, match="negative"):
        parse_amount(format_amount(-planck, token), token)


@given(
    whole=st.integers(min_value=0, max_value=10**20),
    extra=st.integers(min_value=1, max_value=9),
    token=tokens,
)
def test_one_decimal_too_many_is_refused(whole: int, extra: int, token: Token) -> None:
    text = f"{whole}.{'0' * token.decimals}{extra} {token.symbol}"
    with pytest.raises(AmountError, match="more decimals than"):
        parse_amount(text, token)


@given(value=st.floats(allow_nan=True, allow_infinity=True), token=tokens)
def test_floats_are_never_amounts(value: float, token: Token) -> None:
    with pytest.raises(AmountError):
        parse_amount(value, token)  # type: ignore[arg-type]


@given(text=st.text(max_size=40), token=tokens)
def test_any_text_gives_exact_planck_or_a_clear_error(text: str, token: Token) -> None:
    try:
        amount = parse_amount(text, token)
    except AmountError as exc:
        assert str(exc)
        assert "Traceback" not in str(exc)
    else:
        assert type(amount.planck) is int
        assert 0 <= amount.planck <= MAX_PLANCK


@given(planck=plancks, token=tokens)
def test_formatting_matches_decimal_arithmetic(planck: int, token: Token) -> None:
    """An independent oracle: Decimal with enough precision for any u128."""
    number = format_amount(planck, token).split(" ")[0]
    with localcontext(prec=100):
        assert Decimal(number).scaleb(token.decimals) == Decimal(planck)


perbills = st.integers(min_value=0, max_value=PERBILL)


@given(perbill=perbills)
def test_percent_round_trip(perbill: int) -> None:
    text = format_percent(perbill)
    assert parse_percent(text) == perbill
    assert type(parse_percent(text)) is int
    assert format_percent(parse_percent(text)) == text


@given(perbill=st.integers(min_value=PERBILL + 1, max_value=100 * PERBILL))
def test_percent_above_the_maximum_is_refused(perbill: int) -> None:
    with pytest.raises(AmountError, match="above the largest allowed value"):
        parse_percent(format_percent(perbill))
    assert parse_percent(format_percent(perbill), maximum_perbill=100 * PERBILL) == perbill


@given(value=st.one_of(st.floats(), st.integers(), st.booleans(), st.none()))
def test_percent_needs_text_with_a_sign(value: object) -> None:
    with pytest.raises(AmountError):
        parse_percent(value)  # type: ignore[arg-type]


def _floats_in(value: object) -> list[object]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats_in(v)]
    if isinstance(value, list):
        return [f for v in value for f in _floats_in(v)]
    return []


@given(
    price=plancks,
    spot=st.integers(min_value=0, max_value=10**15),
    share=perbills,
    network=st.sampled_from(["polkadot", "kusama", "westend", "paseo"]),
)
def test_a_policy_dump_holds_no_float_and_round_trips(
    price: int, spot: int, share: int, network: str
) -> None:
    registry = NetworkRegistry()
    net = registry.get(network)
    assert net is not None
    doc = {
        "apiVersion": "coretime-agent/v1",
        "kind": "CoretimePolicy",
        "metadata": {"name": "p"},
        "spec": {
            "network": network,
            "paraId": 2000,
            "renewal": {
                "maxPrice": format_amount(price, net.token),
                "startAfter": "0%",
                "deadline": format_percent(max(share, 1)),
            },
            "onDemand": {"maxSpotPrice": spot},
            "budget": {"limits": [{"period": "30d", "amount": price}], "alertAt": "80%"},
            "signer": "ops",
        },
    }
    context = {"networks": registry, "token": net.token}
    policy = CoretimePolicy.model_validate(doc, context=context)
    dumped = policy.model_dump(mode="json", by_alias=True)
    assert _floats_in(dumped) == []
    assert _floats_in(json.loads(json.dumps(dumped))) == []
    again = CoretimePolicy.model_validate(dumped, context=context)
    assert again == policy
    assert again.spec.renewal.max_price == Amount(price, net.token)
