"""The 18 intrinsic functions: recorded AWS results, argument checks and parsing."""

from __future__ import annotations

import json
import re

import pytest
from corpora import AWS_RECORDED, available

from workflow.emulator import intrinsics
from workflow.emulator.errors import DefinitionError, StatesError
from workflow.emulator.intrinsics import INTRINSIC_ERROR, SIGNATURES, evaluate_intrinsic
from workflow.emulator.paths import render_template

CORPUS = AWS_RECORDED / "cases.jsonl"
UNCHECKABLE = ("RandomNumberGenerated", "generated-uuid")


def _single_state_intrinsic_cases() -> list:
    """Recorded JSONPath cases made of one Pass state whose Parameters call an intrinsic."""
    if not available(CORPUS):
        return []
    out = []
    for line in CORPUS.read_text().splitlines():
        case = json.loads(line)
        if case.get("query_language", "JSONPath") != "JSONPath":
            continue
        if not case["id"].startswith("intrinsic_functions/"):
            continue
        states = list(case["definition"]["States"].values())
        if len(states) != 1 or "Parameters" not in states[0] or "OutputPath" in states[0]:
            continue
        if any(token in json.dumps(case["expected"]) for token in UNCHECKABLE):
            continue
        out.append(pytest.param(case, id=case["id"].split("::")[-1]))
    return out


def _context(case_input):
    return {
        "Execution": {"Name": "<ExecArnPart_0idx>", "Input": case_input},
        "StateMachine": {
            "Id": "arn:<partition>:states:<region>:111111111111:stateMachine:<ArnPart_0idx>",
            "Name": "<ArnPart_0idx>",
        },
    }


@pytest.mark.skipif(not available(CORPUS), reason=f"corpus not found at {CORPUS}")
@pytest.mark.parametrize("case", _single_state_intrinsic_cases())
def test_intrinsic_gives_the_result_aws_recorded(case):
    state = next(iter(case["definition"]["States"].values()))
    out = render_template(state["Parameters"], case["input"], _context(case["input"]),
                          field="Parameters")
    assert out == case["expected"]["output"]


def ev(expression, data=None, context=None):
    return evaluate_intrinsic(expression, data if data is not None else {}, context or {})


def fails(expression, data=None):
    with pytest.raises(StatesError) as info:
        ev(expression, data)
    assert info.value.error == INTRINSIC_ERROR
    return info.value.cause


def test_signature_table_lists_all_18_functions():
    assert len(SIGNATURES) == 18


# States.Format
def test_format_fills_placeholders_with_java_style_text():
    data = {"o": {"A": 1, "B": [1, "x"]}, "n": None, "f": 1.5, "b": True}
    assert ev("States.Format('{} {} {} {}', $.o, $.n, $.f, $.b)", data) == \
        "{A=1, B=[1, x]} null 1.5 true"


def test_format_escaped_braces_and_quotes_are_literal():
    assert ev(r"States.Format('\{\} it\'s {} \\', 'x')") == "{} it's x \\"


def test_format_template_from_a_path_uses_its_placeholders():
    # corpus: assign/...::test_reference_in_map_state[MAP_STATE_REFERENCE_IN_INTRINSIC_FUNCTION]
    assert ev("States.Format($.t, 'Pikachu')", {"t": "It's {}!"}) == "It's Pikachu!"


def test_format_with_wrong_argument_count_fails():
    assert "placeholder" in fails("States.Format('{} {}', 'one')")


def test_format_with_a_literal_template_that_is_not_a_string_fails_at_run_time():
    # A number or null template used to crash the evaluator (TypeError) instead.
    assert "argument 1 to be of type string" in fails("States.Format(null)")
    assert "argument 1 to be of type string" in fails("States.Format(1, $.a)", {"a": 1})


def test_escaped_backslash_before_braces_leaves_a_placeholder():
    # `\\` is an escaped backslash, so the `{}` after it is still a placeholder.
    assert ev(r"States.Format('\\{}', 'x')") == "\\x"


# States.StringToJson / States.JsonToString
def test_string_to_json_parses_and_blank_is_null():
    assert ev("States.StringToJson($.s)", {"s": '{"a": [1]}'}) == {"a": [1]}
    assert ev("States.StringToJson($.s)", {"s": "  "}) is None


def test_string_to_json_on_invalid_json_fails():
    fails("States.StringToJson('{not json')")


def test_json_to_string_is_compact_json():
    assert ev("States.JsonToString($.o)", {"o": {"a": [1, "x"]}}) == '{"a":[1,"x"]}'


# States.Array
def test_array_collects_arguments_of_any_type():
    assert ev("States.Array(1, 'two', true, null, $.x)", {"x": {"k": 1}}) == \
        [1, "two", True, None, {"k": 1}]
    assert ev("States.Array()") == []


# States.ArrayPartition
def test_array_partition_chunks_and_rejects_non_positive_size():
    assert ev("States.ArrayPartition($.a, 2)", {"a": [1, 2, 3]}) == [[1, 2], [3]]
    fails("States.ArrayPartition($.a, 0)", {"a": [1]})


# States.ArrayContains
def test_array_contains_uses_json_equality():
    assert ev("States.ArrayContains($.a, 1)", {"a": [True]}) is False
    assert ev("States.ArrayContains($.a, $.v)", {"a": [{"x": [1]}], "v": {"x": [1]}}) is True


# States.ArrayRange
def test_array_range_is_inclusive_and_bounded():
    assert ev("States.ArrayRange(1, 9, 2)") == [1, 3, 5, 7, 9]
    assert ev("States.ArrayRange(5, 1, -2)") == [5, 3, 1]
    fails("States.ArrayRange(0, 5000, 1)")
    fails("States.ArrayRange(0, 5, 0)")


def test_array_range_refuses_a_huge_range_without_building_it():
    # Found by review: the limit was checked after materialising the list, so a range
    # taken from the input ({"n": 1e9}) could exhaust memory. Now it fails at once.
    import tracemalloc

    tracemalloc.start()
    try:
        fails("States.ArrayRange(1, 10000000, 1)")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000  # the old code built a 10-million-item list (~400 MB) first


# States.ArrayGetItem
def test_array_get_item_reads_an_index_and_fails_out_of_bounds():
    assert ev("States.ArrayGetItem($.a, 1)", {"a": ["x", "y"]}) == "y"
    assert "out of bounds" in fails("States.ArrayGetItem($.a, 2)", {"a": ["x", "y"]})


# States.ArrayLength
def test_array_length_counts_elements_and_rejects_non_arrays():
    assert ev("States.ArrayLength($.a)", {"a": [1, 2, 3]}) == 3
    assert "argument 1" in fails("States.ArrayLength($.a)", {"a": "abc"})


# States.ArrayUnique
def test_array_unique_keeps_first_occurrences_and_types_apart():
    assert ev("States.ArrayUnique($.a)", {"a": [1, 1, True, "1", {"k": 1}, {"k": 1}]}) == \
        [1, True, "1", {"k": 1}]


# States.Base64Encode / States.Base64Decode
def test_base64_round_trips_utf8_and_rejects_bad_input():
    assert ev("States.Base64Encode('héllo')") == "aMOpbGxv"
    assert ev("States.Base64Decode('aMOpbGxv')") == "héllo"
    fails("States.Base64Decode('%%%')")
    fails("States.Base64Encode($.s)", {"s": "x" * 10_001})


# States.Hash
def test_hash_supports_the_five_algorithms_only():
    assert ev("States.Hash('input data', 'SHA-1')") == "aaff4a450a104cd177d28d18d74485e8cae074b7"
    assert "algorithm" in fails("States.Hash('x', 'SHA-3')")


# States.JsonMerge
def test_json_merge_is_shallow_and_refuses_deep_mode():
    data = {"a": {"x": {"1": 1}, "y": 2}, "b": {"x": {"2": 2}}}
    assert ev("States.JsonMerge($.a, $.b, false)", data) == {"x": {"2": 2}, "y": 2}
    fails("States.JsonMerge($.a, $.b, true)", data)


# States.MathRandom
def test_math_random_is_in_range_and_reproducible_with_a_seed():
    values = {ev("States.MathRandom(1, 4)") for _ in range(200)}
    assert values <= {1, 2, 3}
    assert ev("States.MathRandom(0, 1000, 7)") == ev("States.MathRandom(0, 1000, 7)")
    fails("States.MathRandom(5, 5)")


# States.MathAdd
def test_math_add_rounds_each_argument_half_up():
    # corpus: test_math_add#exec_hist_resp_1 (1.49 + 1.5 = 3), _19 (-2.5 + 0 = -2)
    assert ev("States.MathAdd(1.49, 1.5)") == 3
    assert ev("States.MathAdd(-2.5, 0)") == -2
    assert ev("States.MathAdd($.n, -1)", {"n": 10}) == 9
    fails("States.MathAdd('1', 2)")


# States.StringSplit
def test_string_split_splits_on_each_delimiter_character_and_drops_empties():
    assert ev("States.StringSplit('a.b+c,,d', '.+,')") == ["a", "b", "c", "d"]


# States.UUID
def test_uuid_returns_a_fresh_version_4_uuid():
    first, second = ev("States.UUID()"), ev("States.UUID()")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        first)
    assert first != second


# Parsing
def test_nested_calls_evaluate_inside_out():
    # corpus: test_nested_calls_2
    expr = ("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), "
            "States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), "
            "-1))")
    assert ev(expr, {}, {"StateMachine": {"Name": "my-state-machine"}}) == "machine"


@pytest.mark.parametrize(
    "expression",
    ["States.Nope(1)", "States.Format(", "States.ArrayLength($.a, 1)", "States.UUID(1)",
     "States.Array(1 2)", "States.Format('x)"],
)
def test_malformed_or_wrong_arity_calls_are_definition_errors(expression):
    with pytest.raises(DefinitionError):
        ev(expression, {"a": []})


def test_missing_path_argument_fails_like_any_missing_path():
    with pytest.raises(StatesError) as info:
        evaluate_intrinsic("States.Array($.nope)", {}, {}, field="x.$")
    assert info.value.error == "States.Runtime"
    assert "specified for the field 'x.$'" in info.value.cause


def test_each_distinct_expression_is_parsed_once(monkeypatch):
    calls = []
    original = intrinsics._Parser.parse

    def counting(self):
        calls.append(self.text)
        return original(self)

    monkeypatch.setattr(intrinsics._Parser, "parse", counting)
    expr = "States.Array('cache-probe', $.n)"
    for n in range(5):
        assert ev(expr, {"n": n}) == ["cache-probe", n]
    assert calls.count(expr) <= 1


@pytest.mark.parametrize(
    "expression",
    [
        "States.StringToJson('{\"text\":\"An \\\"escaped\\\" quote\"}')",
        "States.Format('He said, \\\"Hello, {}!\\\"', 'x')",
    ],
)
def test_backslash_before_a_non_reserved_character_is_rejected(expression):
    # corpus invalid-definitions: test_illegal_escapes[ESCAPE_SEQUENCES_ILLEGAL_INTRINSIC_*]
    with pytest.raises(DefinitionError):
        ev(expression)
    with pytest.raises(DefinitionError) as info:
        render_template({"parsed.$": expression}, {}, {}, field="Parameters")
    assert "must be a valid JSONPath or a valid intrinsic function call" in info.value.message
