"""The CLI's exit-code contract: 2 bad input, 3 chain unreachable, with one line and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.devnet import free_port
from tests.support.scenario import cli, policy_yaml, write_agent_files


@pytest.mark.parametrize("command", ["once", "plan", "doctor"])
def test_all_endpoints_down_is_exit_3_with_one_line_naming_them(
    tmp_path: Path, command: str
) -> None:
    dead_a, dead_b = free_port(), free_port()
    env = write_agent_files(tmp_path, f"ws://127.0.0.1:{dead_a}", {"p": policy_yaml("p", 2000)})
    settings = tmp_path / "agent.toml"
    settings.write_text(
        settings.read_text().replace(
            f'coretime = ["ws://127.0.0.1:{dead_a}"]',
            f'coretime = ["ws://127.0.0.1:{dead_a}", "ws://127.0.0.1:{dead_b}"]',
        )
    )
    env["CORETIME_AGENT_RPC_TIMEOUT_SECONDS"] = "2"
    result = cli(env, command, timeout=120)
    assert result.returncode == 3, (result.stdout, result.stderr)
    output = (result.stdout + result.stderr).splitlines()
    errors = [line for line in output if "chain unreachable" in line and "WARNING" not in line]
    assert errors, result.stderr
    assert f"127.0.0.1:{dead_a}" in errors[0] and f"127.0.0.1:{dead_b}" in errors[0]
    assert "Traceback" not in result.stderr


def test_missing_signer_secret_is_bad_input(tmp_path: Path) -> None:
    env = write_agent_files(
        tmp_path, f"ws://127.0.0.1:{free_port()}", {"p": policy_yaml("p", 2000)}
    )
    env.pop("CORETIME_AGENT_SIGNER_RENEWER")
    result = cli(env, "once")
    assert result.returncode == 2
    assert (
        result.stderr.strip().splitlines()[-1].startswith("error: signer 'renewer' has no secret")
    )
    assert "CORETIME_AGENT_SIGNER_RENEWER" in result.stderr


def test_broken_policy_is_exit_2_for_the_daemon_too(tmp_path: Path) -> None:
    env = write_agent_files(
        tmp_path,
        f"ws://127.0.0.1:{free_port()}",
        {"p": policy_yaml("p", 2000).replace("maxPrice: 1000 PAS", "maxPrice: 1000 DOT")},
    )
    result = cli(env, "run")
    assert result.returncode == 2
    assert "p.yaml:" in result.stderr and "spec.renewal.maxPrice" in result.stderr
    assert "Traceback" not in result.stderr


def test_secret_never_printed_on_errors(tmp_path: Path) -> None:
    env = write_agent_files(
        tmp_path, f"ws://127.0.0.1:{free_port()}", {"p": policy_yaml("p", 2000)}
    )
    secret = "legal winner thank year wave sausage worth useful legal winner thank yellow"
    env["CORETIME_AGENT_SIGNER_RENEWER"] = secret
    env["CORETIME_AGENT_RPC_TIMEOUT_SECONDS"] = "2"
    result = cli(env, "--debug", "once", timeout=120)
    assert secret not in result.stdout + result.stderr
