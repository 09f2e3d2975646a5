"""`coretime-agent render ...`: prints programs and calls, sends nothing, fails in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli import main
from tests.rendering.cases import SEED_CALL
from tests.support.devnet import Devnet

SEED_ARGS = ["render", "auto-renew", "--para", "2000", "--core", "48", "--hint", "327885"]


@pytest.fixture(autouse=True)
def _no_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env or settings file
    for name in ("CORETIME_AGENT_SETTINGS_FILE", "CORETIME_AGENT_TEMPLATES"):
        monkeypatch.delenv(name, raising=False)


def test_offline_preview_prints_the_program_and_how_to_encode(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*SEED_ARGS, "--network", "polkadot", "--xcm-version", "5"]) == 0
    out = capsys.readouterr().out
    assert "XCM              v5, template sovereign-transact.v5.json.j2 (built-in)" in out
    assert "13cKp89Msu7M2PiaCuuGr1BzAsD5V3vaVbDMs3YtjMZHdGwR" in out
    assert "2. PayFees: pay with 0.01 DOT" in out
    assert "pass --endpoint URL or --call HEX" in out
    assert "pass --para-endpoint URL" in out


def test_offline_json_with_the_call_given(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            *SEED_ARGS,
            "--xcm-version",
            "3",
            "--call",
            SEED_CALL,
            "--weight",
            "1_321_256_400,7436",
            "--fee",
            "0.5 DOT",
            "--no-topic",
            "--json",
        ]
    )
    assert code == 0
    record = json.loads(capsys.readouterr().out)
    assert record["inner_call"]["hex"] == SEED_CALL
    assert record["fee_planck"] == 5_000_000_000
    transact = record["program"]["V3"][2]["Transact"]
    assert transact == {
        "origin_kind": "SovereignAccount",
        "require_weight_at_most": {"ref_time": 1_321_256_400, "proof_size": 7436},
        "call": {"encoded": SEED_CALL},
    }
    assert record["program"]["V3"][-1] != {"SetTopic": record["topic"]}
    assert record["message_for_compose_call"]["V3"][0][2] == {"Transact": transact}


def test_disable_renders_disable_auto_renew(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["render", "auto-renew", "--para", "2000", "--core", "48", "--disable", "--json"]) == 0
    )
    record = json.loads(capsys.readouterr().out)
    assert record["inner_call"]["function"] == "disable_auto_renew"
    assert record["inner_call"]["args"] == {"core": 48, "task": 2000}
    assert record["confirm_event"] == "AutoRenewalDisabled"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--weight", "12"], "is not REF_TIME,PROOF_SIZE"),
        (["--fee", "1.5 KSM"], "this network's token is DOT"),
        (["--call", "0xzz"], "is not hex bytes"),
        (["--network", "mars"], "unknown network 'mars'"),
        (["--templates", "no-such-folder"], "does not exist"),
        (["--template", "nope"], "no template 'nope' for XCM v4"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert main([*SEED_ARGS, *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err


def test_user_template_folder_is_used(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "coretime-dest.v4.json.j2").write_text(
        '{"V4": {"parents": 1, "interior": {"X1": [{"Parachain": 4242}]}}}'
    )
    assert main([*SEED_ARGS, "--templates", str(folder), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["dest"] == {"V4": {"parents": 1, "interior": {"X1": [{"Parachain": 4242}]}}}
    assert main(["render", "templates", "--templates", str(folder)]) == 0
    listing = capsys.readouterr().out
    assert f"coretime-dest            v4  {folder}" in listing
    assert "sovereign-transact       v5  built-in" in listing


def test_help_explains_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "auto-renew", "--help"]) == 0
    out = capsys.readouterr().out
    for words in (
        "--endpoint",
        "--para-endpoint",
        "--xcm-version",
        "--weight",
        "--fee",
        "workload_end_hint",
        "SovereignAccount",
        "without sending anything",
    ):
        assert words in out


@pytest.mark.chain
def test_with_an_endpoint_the_calls_are_encoded(
    devnet: Devnet, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            *SEED_ARGS,
            "--network",
            "paseo",
            "--endpoint",
            devnet.url,
            "--para-endpoint",
            devnet.url,
            "--json",
        ]
    )
    assert code == 0, capsys.readouterr().err
    record = json.loads(capsys.readouterr().out)
    assert record["inner_call"]["hex"] == SEED_CALL
    assert record["xcm_version"] == 5
    assert record["weight"]["ref_time"] > 1_000_000_000  # estimated, plus 20%
    assert record["parachain_call"]["hex"].startswith("0x1f00")  # PolkadotXcm(31).send(0)
    assert record["parachain_call"]["sudo_hex"] == "0xff00" + record["parachain_call"]["hex"][2:]
