"""Loading: files and folders, custom networks, sources and digests, and where problems point."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from agent.cli import main
from agent.errors import PolicyError
from agent.model.money import Amount, Token
from agent.model.network import Network, NetworkRegistry
from agent.model.policy import CoretimePolicy, SubmitPath
from agent.policy import digest, load_policies
from agent.policy.checks import check_policy
from agent.policy.positions import Locator, format_path

POLICY = """\
apiVersion: coretime-agent/v1
kind: CoretimePolicy
metadata:
  name: {name}
spec:
  network: {network}
  paraId: {para}
  renewal:
    maxPrice: {price}
  signer: ops
"""


def policy(
    name: str = "acala", network: str = "polkadot", para: int = 2000, price: str = "150 DOT"
) -> str:
    return POLICY.format(name=name, network=network, para=para, price=price)


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_folder_is_read_recursively_in_order_skipping_hidden_and_other_files(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "b.yaml": policy("b", para=2),
            "a.yml": policy("a", para=1),
            "sub/c.yaml": policy("c", para=3),
            ".hidden.yaml": "not: a policy",
            ".git/x.yaml": "not: a policy",
            "notes.txt": "not yaml",
            "sub/README.md": "# readme",
        },
    )
    loaded = load_policies([tmp_path], NetworkRegistry())
    assert [p.name for p in loaded.policies] == ["a", "b", "c"]
    assert [Path(p.source).relative_to(tmp_path).as_posix() for p in loaded.policies] == [
        "a.yml",
        "b.yaml",
        "sub/c.yaml",
    ]


def test_a_file_named_twice_is_loaded_once(tmp_path: Path) -> None:
    write(tmp_path, {"a.yaml": policy()})
    loaded = load_policies([tmp_path, tmp_path / "a.yaml"], NetworkRegistry())
    assert len(loaded.policies) == 1


def test_missing_paths_and_empty_folders_are_problems_too(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path, {"bad.yaml": policy(price="1.5")})
    with pytest.raises(PolicyError) as caught:
        load_policies(
            [tmp_path / "nope.yaml", tmp_path / "empty", tmp_path / "bad.yaml"], NetworkRegistry()
        )
    assert [(p.file, p.message) for p in caught.value.problems] == [
        (str(tmp_path / "nope.yaml"), "no such file or folder"),
        (str(tmp_path / "empty"), "no policy files in this folder"),
        (str(tmp_path / "bad.yaml"), "1.5 is a bare number, not an amount"),
    ]


def test_multi_document_sources_carry_the_document_index(tmp_path: Path) -> None:
    write(tmp_path, {"two.yaml": policy("a", para=1) + "---\n" + policy("b", para=2)})
    write(tmp_path, {"one.yaml": policy("c", para=3)})
    loaded = load_policies([tmp_path / "two.yaml", tmp_path / "one.yaml"], NetworkRegistry())
    assert [p.source for p in loaded.policies] == [
        f"{tmp_path / 'two.yaml'}#1",
        f"{tmp_path / 'two.yaml'}#2",
        str(tmp_path / "one.yaml"),
    ]
    assert loaded.by_name("b") is not None
    assert loaded.by_name("b").para_id == 2  # type: ignore[union-attr]


def test_a_byte_order_mark_and_crlf_line_ends_are_fine(tmp_path: Path) -> None:
    (tmp_path / "win.yaml").write_bytes(b"\xef\xbb\xbf" + policy().replace("\n", "\r\n").encode())
    assert load_policies([tmp_path / "win.yaml"], NetworkRegistry()).policies[0].name == "acala"


def test_text_that_is_not_utf8_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(policy().replace("acala", "acal\xe1").encode("latin-1"))
    with pytest.raises(PolicyError) as caught:
        load_policies([tmp_path / "latin1.yaml"], NetworkRegistry())
    assert caught.value.problems[0].message.startswith("not UTF-8 text")


def test_custom_networks_give_their_token(tmp_path: Path) -> None:
    local = Network("rococo-local", Token("ROC", 12), ss58_prefix=42, relay_ss58_prefix=42)
    registry = NetworkRegistry.with_custom([local])
    write(tmp_path, {"a.yaml": policy(network="rococo-local", price="2.5 ROC")})
    loaded = load_policies([tmp_path], registry).policies[0]
    assert loaded.network == local
    assert loaded.policy.spec.renewal.max_price == Amount(2_500_000_000_000, local.token)
    with pytest.raises(PolicyError) as caught:
        load_policies([tmp_path], NetworkRegistry())
    assert "unknown network 'rococo-local'" in str(caught.value.problems[0])


def test_the_cli_takes_custom_networks_from_the_settings_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        {
            "settings.toml": '[[networks]]\nname = "rococo-local"\nsymbol = "ROC"\n'
            "decimals = 12\nss58_prefix = 42\n",
            "p/a.yaml": policy(network="rococo-local", price="2.5 ROC"),
        },
    )
    assert main(["validate", "p"]) == 2
    assert "unknown network 'rococo-local'" in capsys.readouterr().err
    assert main(["--settings", "settings.toml", "validate", "p"]) == 0
    assert "rococo-local para 2000  renewal≤2.5 ROC" in capsys.readouterr().out


def test_the_digest_is_sha256_of_canonical_json_and_ignores_spelling(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.yaml": policy(price="150 DOT"),
            "b.yaml": "# same policy, other spelling\n"
            + policy(price="1_500_000_000_000").replace("  signer: ops\n", "  signer: 'ops'\n"),
            "c.yaml": policy(price="150.0000000001 DOT"),
        },
    )
    a, b, c = (
        load_policies([tmp_path / f], NetworkRegistry()).policies[0]
        for f in ("a.yaml", "b.yaml", "c.yaml")
    )
    canonical = json.dumps(
        a.policy.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":")
    )
    assert a.digest == hashlib.sha256(canonical.encode()).hexdigest() == digest(a.policy)
    assert a.digest == b.digest
    assert a.digest != c.digest


def test_snake_case_keys_are_unknown_in_yaml_even_though_python_accepts_them(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"a.yaml": policy().replace("paraId", "para_id")})
    with pytest.raises(PolicyError) as caught:
        load_policies([tmp_path], NetworkRegistry())
    assert [p.path for p in caught.value.problems] == ["spec.paraId", "spec.para_id"]
    assert "did you mean 'paraId'?" in str(caught.value.problems[1])


def test_sudo_auto_renew_without_any_signer_is_refused() -> None:
    """Unreachable from YAML today (spec.signer is required), kept for when it becomes optional."""
    base = CoretimePolicy.model_validate(
        YAML(typ="safe").load(policy().replace("maxPrice: 150 DOT", "enabled: false")),
        context={"networks": NetworkRegistry()},
    )
    auto = base.spec.auto_renew.model_copy(update={"manage": True, "submit": SubmitPath.SUDO})
    unsigned = base.spec.model_copy(update={"auto_renew": auto, "signer": ""})
    findings = check_policy(base.model_copy(update={"spec": unsigned}))
    assert [(format_path(f.path), f.message.split(";")[0]) for f in findings] == [
        ("spec.autoRenew.signer", "missing")
    ]
    signed = unsigned.model_copy(update={"signer": "ops"})
    assert check_policy(base.model_copy(update={"spec": signed})) == []


@pytest.mark.parametrize(
    ("loc", "at_key", "expected"),
    [
        (("spec", "paraId"), False, (6, 11)),  # a scalar: the value
        (("spec", "renewal"), False, (7, 3)),  # a mapping: its key
        (("spec", "renewal", "maxPrice"), False, (8, 15)),
        (("spec", "renewal", "maxPrice"), True, (8, 5)),  # an unknown key: the key
        (("spec", "renewal", "deadline"), False, (8, 5)),  # missing: the mapping that lacks it
        (("spec", "limits", 0, "amount"), False, (9, 22)),
        (("spec", "limits", 1), False, (10, 5)),
        (("spec", "limits", 1, "period"), False, (10, 14)),
        (("spec", "limits", 7, "period"), False, (9, 11)),  # no such item: the list
        (("spec", "base"), False, (11, 3)),  # an empty value: its key
        (("spec", "merged", "k"), False, (12, 11)),  # merged keys have no position of their own
        (("nowhere", "at", "all"), False, (1, 1)),
    ],
)
def test_where_a_problem_points(
    loc: tuple[str | int, ...], at_key: bool, expected: tuple[int, int]
) -> None:
    text = (
        "apiVersion: coretime-agent/v1\n"  # 1
        "kind: CoretimePolicy\n"  # 2
        "anchor: &A {k: 1}\n"  # 3
        "metadata: {name: a}\n"  # 4
        "spec:\n"  # 5
        "  paraId: 2000\n"  # 6
        "  renewal:\n"  # 7
        "    maxPrice: 1.5\n"  # 8
        "  limits: [ {amount: x},\n"  # 9
        "    {period: sale} ]\n"  # 10
        "  base:\n"  # 11
        "  merged: {<<: *A}\n"  # 12
    )
    root = YAML(typ="rt").load(text)
    assert Locator(root, 1, 1).position(loc, at_key=at_key) == expected


def test_format_path() -> None:
    assert format_path(("spec", "budget", "limits", 1, "amount")) == "spec.budget.limits[1].amount"
    assert format_path(()) == ""
