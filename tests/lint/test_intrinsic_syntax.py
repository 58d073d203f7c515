"""The shared intrinsic-call grammar, and the emulator and linter agreeing on it."""

from __future__ import annotations

import json

import pytest
from corpora import AWS_RECORDED, require

from workflow.emulator.errors import DefinitionError
from workflow.emulator.intrinsics import compile_intrinsic
from workflow.intrinsic_syntax import (
    SIGNATURES,
    Call,
    IntrinsicSyntaxError,
    Literal,
    String,
    parse_intrinsic,
    placeholder_count,
    signature_problem,
)
from workflow.intrinsic_syntax import Path as PathArg
from workflow.lint import lint_definition


def test_parse_builds_a_tree_with_character_positions():
    call = parse_intrinsic("States.Format('{} x', $.a, States.Array(1, true, null, -2.5e1))")
    assert call == Call("States.Format", (
        String("{} x", ("", " x"), 14),
        PathArg("$.a", 22),
        Call("States.Array", (Literal(1, 40), Literal(True, 43), Literal(None, 49),
                              Literal(-25.0, 55)), 27),
    ), 0)


def test_reserved_characters_are_escaped_and_unescaped_braces_are_placeholders():
    template = parse_intrinsic(r"States.Format('\{\} it\'s {} \\{}', 1, 2)").args[0]
    assert isinstance(template, String)
    assert template.parts == ("{} it's ", " \\", "")
    assert placeholder_count(template) == 2


@pytest.mark.parametrize("escape", ['\\"', "\\n", "\\t", "\\u"])
def test_other_escapes_are_syntax_errors_at_the_backslash(escape):
    # aws-recorded invalid-definitions: test_illegal_escapes[...INTRINSIC_FUNCTION...]
    with pytest.raises(IntrinsicSyntaxError) as info:
        parse_intrinsic(f"States.Format('ab{escape}')")
    assert info.value.position == 17


@pytest.mark.parametrize("text, position", [
    ("States.Format(", 14),
    ("States.Array(1 2)", 15),
    ("States.Format('x)", 14),
    ("States.Array(+1)", 13),
    ("States.Array(01)", 14),
    ("States.Array(1.)", 14),
    ("States.UUID() x", 14),
    ("Foo(1)", 0),
])
def test_syntax_errors_carry_the_position_where_the_text_goes_wrong(text, position):
    with pytest.raises(IntrinsicSyntaxError) as info:
        parse_intrinsic(text)
    assert info.value.position == position


def test_space_tab_and_newline_separate_tokens_unconfirmed_by_aws():
    # No AWS recording shows tabs or newlines between arguments; both tools accept them.
    call = parse_intrinsic("States.MathAdd(\t$.a,\n 1 ) ")
    assert call == Call("States.MathAdd", (PathArg("$.a", 16), Literal(1, 22)), 0)


def test_path_arguments_skip_brackets_and_quoted_commas():
    call = parse_intrinsic("States.Array($.a['x,y'][0], $$.Map.Item.Value)")
    assert [arg.text for arg in call.args] == ["$.a['x,y'][0]", "$$.Map.Item.Value"]


def test_a_path_checker_turns_a_bad_path_into_a_syntax_error_at_the_path():
    with pytest.raises(IntrinsicSyntaxError) as info:
        parse_intrinsic("States.Array(1, $.a b)", check_path=lambda text: "no spaces")
    assert info.value.position == 16
    assert str(info.value) == "argument '$.a b' is not a path: no spaces"


def test_names_are_parsed_without_knowing_them_and_checked_against_the_table():
    call = parse_intrinsic("States.Timestamp()")
    assert signature_problem(call).unknown
    assert signature_problem(parse_intrinsic("States.MathAdd(1, 2, 3)")).message == \
        "takes 2 argument(s), got 3"
    assert signature_problem(parse_intrinsic("States.MathRandom(1)")).message == \
        "takes 2 to 3 argument(s), got 1"
    assert signature_problem(parse_intrinsic("States.Format()")).message == \
        "takes at least 1 argument(s), got 0"


# ------------------------------------------------------------ emulator and linter agree

def _emulator_rejects(text: str) -> bool:
    try:
        compile_intrinsic(text)
    except DefinitionError:
        return True
    return False


def _lint_codes(text: str) -> set[str]:
    definition = {"StartAt": "A", "States": {"A": {
        "Type": "Pass", "Parameters": {"x.$": text}, "End": True}}}
    return {d.code for d in lint_definition(definition) if d.severity == "error"}


AGREEMENT = [
    # (expression, emulator rejects at definition time, linter error codes)
    ("States.Timestamp()", True, {"ASL032"}),
    ("States.MathAdd($.a, $.b, $.c)", True, {"ASL033"}),
    ("States.UUID(1)", True, {"ASL033"}),
    ("States.Format('x)", True, {"ASL031"}),
    ("States.Format('He said \\\"hi\\\"')", True, {"ASL031"}),
    ("States.Array(1 2)", True, {"ASL031"}),
    ("States.Array(01)", True, {"ASL031"}),
    ("States.MathAdd(\t$.a,\n1)", False, set()),
    # The placeholder count is a run-time failure in the emulator (the test above in
    # tests/emulator) and ASL034 in the linter; both count `\\{}` as one placeholder.
    ("States.Format('{} and {}', $.a)", False, {"ASL034"}),
    ("States.Format('\\\\{}', $.a)", False, set()),
    ("States.Format('\\{\\}', $.a)", False, {"ASL034"}),
]


@pytest.mark.parametrize("text, emulator_rejects, codes", AGREEMENT, ids=[a[0] for a in AGREEMENT])
def test_emulator_and_linter_judge_a_call_alike(text, emulator_rejects, codes):
    assert _emulator_rejects(text) is emulator_rejects
    assert _lint_codes(text) == codes


def test_every_signature_is_known_to_both_tools():
    for name, sig in SIGNATURES.items():
        args = ", ".join("$.x" for _ in range(sig.min_args))
        assert not _emulator_rejects(f"{name}({args})")
        assert "ASL032" not in _lint_codes(f"{name}({args})")


RECORDED = AWS_RECORDED / "invalid-definitions.jsonl"


def test_aws_recorded_illegal_escape_rejections_get_asl031_inside_the_field_aws_named():
    # aws-recorded invalid-definitions: test_illegal_escapes[ESCAPE_SEQUENCES_ILLEGAL_
    # INTRINSIC_FUNCTION] and [..._2]; AWS names the Parameters object, we name its key.
    seen = 0
    for line in require(RECORDED).read_text().splitlines():
        record = json.loads(line)
        if "ILLEGAL_INTRINSIC_FUNCTION" not in record["id"]:
            continue
        seen += 1
        where = record["expected_error"]["message"].rsplit(" at ", 1)[1].rstrip("'")
        found = [d.path.pointer for d in lint_definition(record["definition"])
                 if d.code == "ASL031"]
        assert found and all(p.startswith(where + "/") for p in found), (record["id"], found)
        with pytest.raises(DefinitionError):
            for text in record["definition"]["States"]["IntrinsicEscape"]["Parameters"].values():
                compile_intrinsic(text)
    assert seen == 2
