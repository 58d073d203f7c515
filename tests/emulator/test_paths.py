"""Reference paths, InputPath/OutputPath, payload templates, ResultPath and timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from workflow.emulator.errors import DefinitionError, StatesError
from workflow.emulator.paths import (
    MISSING,
    EvalContext,
    apply_input_path,
    apply_output_path,
    apply_result_path,
    get_path,
    render_template,
)
from workflow.emulator.timestamps import parse_timestamp

DATA = {"a": {"b": [10, 20, {"c": "deep"}]}, "items": [{"v": 1}, {"v": 2}], "odd key": 3}
CONTEXT = {"Execution": {"Name": "exec-1", "Input": {"x": 1}}, "State": {"Name": "S"}}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", DATA),
        ("$.a.b[0]", 10),
        ("$.a.b[2].c", "deep"),
        ("$.a.b[-1].c", "deep"),
        ("$['odd key']", 3),
        ('$["odd key"]', 3),
        ("$.a['b'][1]", 20),
    ],
)
def test_definite_path_returns_the_value(path, expected):
    assert get_path(path, DATA, CONTEXT, field="InputPath") == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.items[*].v", [1, 2]),
        ("$.items[1:]", [{"v": 2}]),
        ("$.items[0,1].v", [1, 2]),
        ("$..c", ["deep"]),
        ("$.items[?(@.v > 1)]", [{"v": 2}]),
    ],
)
def test_indefinite_path_returns_a_list(path, expected):
    assert get_path(path, DATA, CONTEXT, field="Parameters") == expected


@pytest.mark.parametrize("path", ["$.item.items[*]", "$.items[*].itemValue", "$[*]",
                                  "$.items[1:]"])
def test_indefinite_path_matching_nothing_is_an_empty_list_not_an_error(path):
    # corpus: base/test_base::test_json_path_array_wildcard_or_slice_with_no_input[...]
    assert get_path(path, {}, CONTEXT, field="Parameters") == []


def test_context_path_reads_the_context_object():
    assert get_path("$$.Execution.Name", DATA, CONTEXT, field="x.$") == "exec-1"
    assert get_path("$$", DATA, CONTEXT, field="x.$") is CONTEXT


def test_variable_path_reads_workflow_variables():
    ctx = EvalContext(context_object=CONTEXT, variables={"var": {"k": [5]}})
    assert get_path("$var.k[0]", DATA, ctx, field="x.$") == 5
    assert get_path("$$.State.Name", DATA, ctx, field="x.$") == "S"


def test_bracket_name_keeps_backslashes_and_double_quotes():
    # corpus: scenarios/...::test_escape_sequence_parsing[ESCAPE_SEQUENCES_JSONPATH]
    data = {'Test\\""Name"': 'Value"\\'}
    assert get_path("$['Test\\\"\"Name\"']", data, {}, field="value.$") == 'Value"\\'


def test_missing_path_error_names_path_field_and_compact_input():
    # corpus: test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH]
    with pytest.raises(StatesError) as info:
        get_path("$.no_such_jsonpath", {"int-literal": 0}, {}, field="value.$")
    assert info.value.error == "States.Runtime"
    assert info.value.cause == (
        "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be "
        "found in the input '{\"int-literal\":0}'"
    )


def test_missing_input_path_uses_jayway_wording():
    # corpus: test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_INPUTPATH] / [..._OUTPUTPATH]
    with pytest.raises(StatesError) as info:
        apply_input_path("$.NoSuchInputPath", {"int-literal": 0}, {})
    assert info.value.cause == (
        "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"
    )
    with pytest.raises(StatesError) as info:
        apply_output_path("$.NoSuchOutputPath", {"int-literal": 0}, {})
    assert info.value.cause == (
        "Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']"
    )


def test_input_and_output_path_absent_keeps_data_and_null_gives_empty_object():
    assert apply_input_path(MISSING, DATA, {}) is DATA
    assert apply_output_path(MISSING, DATA, {}) is DATA
    assert apply_input_path(None, DATA, {}) == {}
    assert apply_output_path(None, DATA, {}) == {}
    assert apply_input_path("$.a.b[0]", DATA, {}) == 10
    assert apply_input_path("$$.Execution.Input", DATA, CONTEXT) == {"x": 1}


def test_result_path_absent_or_root_gives_the_result_and_null_keeps_the_input():
    assert apply_result_path({"in": 1}, {"r": 2}, MISSING) == {"r": 2}
    assert apply_result_path({"in": 1}, {"r": 2}, "$") == {"r": 2}
    assert apply_result_path({"in": 1}, {"r": 2}, None) == {"in": 1}


def test_result_path_sets_value_in_a_copy_creating_objects_on_the_way():
    original = {"in": 1, "keep": {"x": 1}}
    out = apply_result_path(original, "R", "$.new.deeper.leaf")
    assert out == {"in": 1, "keep": {"x": 1}, "new": {"deeper": {"leaf": "R"}}}
    assert original == {"in": 1, "keep": {"x": 1}}  # the input is not mutated
    assert apply_result_path(original, 5, "$.keep.x") == {"in": 1, "keep": {"x": 5}}
    assert original["keep"] == {"x": 1}


def test_result_path_into_a_non_object_fails_with_reference_path_conflict():
    # AWS's name for it (qiita.com report; localstack/localstack#1854 quoting AWS support).
    with pytest.raises(StatesError) as info:
        apply_result_path("text", 1, "$.a")
    assert info.value.error == "States.ReferencePathConflict"
    assert info.value.cause.startswith("Unable to apply ReferencePath $.a to input ")
    with pytest.raises(StatesError):
        apply_result_path({"a": 3}, 1, "$.a.b")


def test_template_renders_paths_context_and_intrinsics_and_drops_the_suffix():
    template = {
        "static": "text",
        "nested": {"v.$": "$.a.b[0]", "list": [1, {"n.$": "$$.Execution.Name"}]},
        "fmt.$": "States.Format('{}-{}', $.odd key, $$.State.Name)".replace(
            "$.odd key", "$['odd key']"),
        "not.$path": "$.x",
    }
    assert render_template(template, DATA, CONTEXT, field="Parameters") == {
        "static": "text",
        "nested": {"v": 10, "list": [1, {"n": "exec-1"}]},
        "fmt": "3-S",
        "not.$path": "$.x",
    }


def test_template_is_compiled_once_and_reused_for_new_data():
    template = {"v.$": "$.n"}
    assert render_template(template, {"n": 1}, {}, field="Parameters") == {"v": 1}
    assert render_template(template, {"n": 2}, {}, field="Parameters") == {"v": 2}


def test_template_missing_path_names_the_dollar_key():
    # corpus: test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_CONTEXTPATH]
    with pytest.raises(StatesError) as info:
        render_template({"value.$": "$$.Execution.Input.no_such_jsonpath"}, {"int-literal": 0},
                        {"Execution": {"Input": {"int-literal": 0}}}, field="Parameters")
    assert "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field " \
           "'value.$' could not be found" in info.value.cause


def test_template_dynamic_value_that_is_neither_path_nor_call_is_a_definition_error():
    with pytest.raises(DefinitionError):
        render_template({"v.$": "plain"}, {}, {}, field="Parameters")
    with pytest.raises(DefinitionError):
        render_template({"v.$": 5}, {}, {}, field="Parameters")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-03-14T01:59:00Z", datetime(2016, 3, 14, 1, 59, tzinfo=UTC)),
        ("2016-03-05T21:29:29.243167252Z",
         datetime(2016, 3, 5, 21, 29, 29, 243167, tzinfo=UTC)),
        ("2023-12-13T07:10:01.00Z", datetime(2023, 12, 13, 7, 10, 1, tzinfo=UTC)),
        ("2012-10-09T19:00:55+01:00",
         datetime(2012, 10, 9, 19, 0, 55, tzinfo=timezone(timedelta(hours=1)))),
    ],
)
def test_parse_timestamp_accepts_what_aws_accepts(text, expected):
    # corpus: test_wait_timestamp_path[SECONDS|NANOSECONDS], test_wait_timestamppath[.00Z]
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2016-13-05T21:29:29Z", "05-12-2016T21:29:29Z", "2016-12-05T25:29:29Z",
     "2016-12-05 21:29:29Z", "2016-12-05T21:29:29", "2023-12-13T07:10:32.000000",
     "2016-02-30T00:00:00Z", "", 5, None],
)
def test_parse_timestamp_rejects_what_aws_rejects(text):
    # corpus: test_wait_timestamp_path[INVALID_DATE|INVALID_ISO|INVALID_TIME|NO_T|NO_Z]
    assert parse_timestamp(text) is None


# Jayway JsonPath, which Step Functions runs, reads a dot before a bracket as absent, and
# deployed AWS samples use it (ec2-instance-isolation-cdk: "$.Snapshots.[0].State";
# account-vending: "$.[?(@.OU > 0)]"). The rule lives in workflow/path_syntax.py.
@pytest.mark.parametrize(
    ("dotted", "plain"),
    [
        ("$.[0]", "$[0]"),
        ("$.items.[1].v", "$.items[1].v"),
        ("$.a.['b'].[2].c", "$.a['b'][2].c"),
        ("$.items.[?(@.v > 1)]", "$.items[?(@.v > 1)]"),
        ("$.items.[*].v", "$.items[*].v"),
        ("$$.Execution.['Input'].x", "$$.Execution['Input'].x"),
    ],
)
def test_dot_before_bracket_means_the_same_as_the_bracket_alone(dotted, plain):
    data = {"a": DATA["a"], "items": DATA["items"]} if dotted != "$.[0]" else [7, 8]
    assert get_path(dotted, data, CONTEXT, field="Parameters") == get_path(
        plain, data, CONTEXT, field="Parameters")


def test_dot_before_an_index_stays_a_definite_path_not_a_list():
    assert get_path("$.items.[0]", DATA, CONTEXT, field="InputPath") == {"v": 1}
    assert apply_input_path("$.a.b.[1]", DATA, CONTEXT) == 20


def test_dot_before_a_filter_on_the_root_array_filters_it():
    # The account-vending sample's ResultSelector: "newOU.$": "$.[?(@.OU > 0)]".
    rows = [{"OU": 0}, {"OU": 2}, {"OU": 5}]
    rendered = render_template({"newOU.$": "$.[?(@.OU > 0)]"}, rows, CONTEXT,
                               field="ResultSelector")
    assert rendered == {"newOU": [{"OU": 2}, {"OU": 5}]}


def test_dot_before_bracket_in_result_path_sets_that_element():
    assert apply_result_path({"l": [1, 2]}, "x", "$.l.[1]") == {"l": [1, "x"]}


def test_missing_dotted_path_quotes_the_path_as_written():
    with pytest.raises(StatesError) as err:
        get_path("$.items.[5]", DATA, CONTEXT, field="Parameters")
    assert "'$.items.[5]'" in err.value.cause


def test_deep_scan_before_a_bracket_still_scans():
    assert get_path("$..[0]", {"x": [1, 2], "y": {"z": [3]}}, CONTEXT,
                    field="Parameters") == [1, 3]


def test_dot_inside_a_quoted_name_before_a_bracket_is_kept():
    assert get_path("$['a.[b']", {"a.[b": 4}, CONTEXT, field="Parameters") == 4


def test_a_filter_number_without_its_leading_zero_reads_as_jayway_reads_it():
    # Jayway (AWS's JSONPath engine) reads `.85` as 0.85; a deployed AWS sample
    # (document-text-analysis) filters entities with `Score > .85`.
    data = {"e": [{"Score": 0.9}, {"Score": 0.5}, {"Score": ".9"}]}
    assert get_path("$.e[?(@.Score > .85)]", data, {}, field="Parameters") == [{"Score": 0.9}]
    # quoted text and member steps are not numbers
    assert get_path("$.e[?(@.Score == '.9')]", data, {}, field="Parameters") == [{"Score": ".9"}]
