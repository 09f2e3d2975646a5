"""Template mistakes stop with a RenderError naming the template and the variable or field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.errors import RenderError
from agent.render import BUILTIN, XcmRenderer
from tests.rendering.cases import SEED_CALL, program_variables

V4_PROGRAM = "sovereign-transact.v4.json.j2"


def _user_folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize("missing", ["para_id", "call", "fee", "weight", "topic"])
def test_missing_variable_is_named(missing: str) -> None:
    variables = program_variables()
    del variables[missing]
    with pytest.raises(RenderError) as err:
        XcmRenderer().program("sovereign-transact", 5, variables)
    text = err.value.one_line()
    assert f"'{missing}'" in text
    assert "sovereign-transact.v5.json.j2" in text
    assert "undefined" in text


def test_missing_attribute_is_named() -> None:
    variables = program_variables(weight={"ref_time": 1})
    with pytest.raises(RenderError) as err:
        XcmRenderer().program("sovereign-transact", 4, variables)
    assert "proof_size" in err.value.one_line()
    assert V4_PROGRAM in err.value.one_line()


def test_user_template_overrides_builtin_by_name(tmp_path: Path) -> None:
    custom = """{"V4": [
      {"WithdrawAsset": [{"id": {"parents": 1, "interior": "Here"}, "fun": {"Fungible": {{ fee }}}}]},
      {"BuyExecution": {"fees": {"id": {"parents": 1, "interior": "Here"},
                                 "fun": {"Fungible": {{ fee }}}},
                        "weight_limit": {"Limited": {"ref_time": {{ weight.ref_time * 2 }},
                                                     "proof_size": {{ weight.proof_size }}}}}},
      {"Transact": {"origin_kind": "SovereignAccount",
                    "require_weight_at_most": {{ weight | json }},
                    "call": {"encoded": {{ call | json }}}}},
      "RefundSurplus",
      {"DepositAsset": {"assets": {"Wild": "All"},
                        "beneficiary": {"parents": 1, "interior": {"X1": [{"Parachain": {{ para_id }}}]}}}}
    ]}"""
    folder = _user_folder(tmp_path, {V4_PROGRAM: custom})
    renderer = XcmRenderer(folder)
    rendered = renderer.program("sovereign-transact", 4, program_variables(topic=None))
    assert rendered.origin == str(folder)
    instructions = rendered.program["V4"]
    assert instructions[1]["BuyExecution"]["weight_limit"] == {
        "Limited": {"ref_time": 2 * 1_321_256_400, "proof_size": 7_436}
    }
    assert instructions[-1]["DepositAsset"]["assets"] == {"Wild": "All"}
    # the other versions still come from the package
    assert renderer.program("sovereign-transact", 5, program_variables()).origin == BUILTIN
    origins = {(t.name, t.version): t.origin for t in renderer.templates()}
    assert origins[("sovereign-transact", 4)] == str(folder)
    assert origins[("sovereign-transact", 3)] == BUILTIN


def test_user_folder_adds_new_template_names(tmp_path: Path) -> None:
    folder = _user_folder(
        tmp_path,
        {
            "just-transact.v5.json.j2": '{"V5": [{"Transact": {"origin_kind": "Native", '
            '"fallback_max_weight": null, "call": {"encoded": {{ call | json }}}}}]}'
        },
    )
    rendered = XcmRenderer(folder).program("just-transact", 5, {"call": SEED_CALL})
    assert rendered.message == {
        "V5": [
            [
                {
                    "Transact": {
                        "origin_kind": "Native",
                        "fallback_max_weight": None,
                        "call": {"encoded": SEED_CALL},
                    }
                }
            ]
        ]
    }


BAD_FIELDS = [
    # (what the template writes for the Transact, the field path the error must name)
    (
        '{"origin_kind": "SovereignAccount", "require_weight_at_most": {"ref_time": "{{ weight.ref_time }}",'
        ' "proof_size": 1}, "call": {"encoded": {{ call | json }}}}',
        "V4[2].Transact.require_weight_at_most.ref_time",
    ),
    (
        '{"origin_kind": "SovereignAccount", "require_weight_at_most": {"ref_time": 1.5, "proof_size": 1},'
        ' "call": {"encoded": {{ call | json }}}}',
        "V4[2].Transact.require_weight_at_most.ref_time",
    ),
    (
        '{"origin_kind": "SovereignAccount", "fallback_max_weight": {{ weight | json }},'
        ' "call": {"encoded": {{ call | json }}}}',
        "V4[2].Transact.fallback_max_weight",
    ),
    (
        '{"origin_kind": "Sovereign", "require_weight_at_most": {{ weight | json }},'
        ' "call": {"encoded": {{ call | json }}}}',
        "V4[2].Transact.origin_kind",
    ),
    (
        '{"origin_kind": "SovereignAccount", "require_weight_at_most": {{ weight | json }},'
        ' "call": {"encoded": "32153000"}}',
        "V4[2].Transact.call.encoded",
    ),
    (
        '{"origin_kind": "SovereignAccount", "require_weight_at_most": {{ weight | json }}}',
        "V4[2].Transact.call",
    ),
]


@pytest.mark.parametrize(("transact", "path"), BAD_FIELDS)
def test_malformed_template_names_the_field(tmp_path: Path, transact: str, path: str) -> None:
    text = (
        '{"V4": [{"WithdrawAsset": [{"id": {"parents": 1, "interior": "Here"}, '
        '"fun": {"Fungible": {{ fee }}}}]}, "ClearOrigin", {"Transact": ' + transact + "}]}"
    )
    folder = _user_folder(tmp_path, {V4_PROGRAM: text})
    with pytest.raises(RenderError) as err:
        XcmRenderer(folder).program("sovereign-transact", 4, program_variables())
    line = err.value.one_line()
    assert f"field {path}:" in line
    assert V4_PROGRAM in line and str(folder) in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"V4": [{"WithdrawAsset": [}', "output is not JSON"),
        ('{"V4": [{% if %}]}', "line 1"),
        ('{"V4": ["RefundSurplus"], "V4": ["ClearOrigin"]}', "repeats the key 'V4'"),
        ('{"V5": ["RefundSurplus"]}', "expected the key 'V4'"),
        ('{"V4": ["RefundSurplas"]}', "did you mean 'RefundSurplus'"),
        ('{"V4": [{"PayFees": {"asset": 1}}]}', "exists in v5"),
        ('{"V4": [{"QueryPallet": {}}]}', "does not check"),
        ('{"V4": []}', "at least 1"),
        ('{"V4": [{"SetTopic": "0x00"}]}', "field V4[0].SetTopic: expected 32 bytes"),
        ('{"V4": [{{ call.__class__ }}]}', "sandbox"),
    ],
)
def test_bad_output_is_a_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    folder = _user_folder(tmp_path, {V4_PROGRAM: text})
    with pytest.raises(RenderError) as err:
        XcmRenderer(folder).program("sovereign-transact", 4, program_variables())
    assert expected in err.value.one_line()
    assert V4_PROGRAM in err.value.one_line()


def test_unknown_template_lists_what_exists() -> None:
    with pytest.raises(RenderError) as err:
        XcmRenderer().program("nope", 5, {})
    assert "no template 'nope' for XCM v5" in err.value.one_line()
    assert "coretime-dest, sovereign-transact" in err.value.one_line()


@pytest.mark.parametrize("name", ["../etc/passwd", "Upper", "a/b", ""])
def test_template_names_cannot_escape_the_folder(name: str) -> None:
    with pytest.raises(RenderError, match="is not valid"):
        XcmRenderer().program(name, 4, {})


def test_unsupported_version_is_refused() -> None:
    with pytest.raises(RenderError, match="XCM v2 is not supported"):
        XcmRenderer().program("sovereign-transact", 2, program_variables())


def test_missing_user_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="does not exist"):
        XcmRenderer(tmp_path / "absent")


def test_wrong_typed_value_is_caught_after_rendering() -> None:
    """A string where an amount belongs renders as JSON text, then fails the check by path."""
    with pytest.raises(RenderError) as err:
        XcmRenderer().program("sovereign-transact", 3, program_variables(fee="100 DOT"))
    assert "field V3[0].WithdrawAsset[0].fun.Fungible: expected an integer (u128)" in (
        err.value.one_line()
    )


def test_location_template_errors_name_the_field(tmp_path: Path) -> None:
    folder = _user_folder(
        tmp_path,
        {
            "coretime-dest.v3.json.j2": '{"V3": {"parents": 1, "interior": {"X1": [{"Parachain": 1005}]}}}'
        },
    )
    with pytest.raises(RenderError) as err:
        XcmRenderer(folder).location("coretime-dest", 3, {"coretime_para_id": 1005})
    assert "field V3.interior.X1: expected a junction" in err.value.one_line()
    assert json.loads('{"a": 1}')  # keeps json imported for the table above
