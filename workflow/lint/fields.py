"""Field tables as data: which fields each object of the language allows, needs or forbids.

A `Shape` says, for one kind of object (a Task state, a retrier, an ItemReader...), which
fields are allowed and of which `Kind`, which groups need at least one member, and which
groups are mutually exclusive. The structure rules read these tables; no field name is
hard-coded in rule code. Sources: the ASL specification (states-language.net) and the
Step Functions developer guide pages for each state type; limits are from the guide
(TimeoutSeconds and HeartbeatSeconds are positive integers up to 99999999,
MaxDelaySeconds at most 31622400, BackoffRate at least 1.0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MAX_SECONDS = 99999999


@dataclass(frozen=True)
class Kind:
    """The expected type of a field value, with optional range, enum and null rules.

    `type` is one of: any, string, boolean, object, array, string_array, integer,
    number, path, refpath, timestamp, error_path (a path or an intrinsic call).
    """

    type: str
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    enum: frozenset[str] | None = None
    nullable: bool = False
    non_empty: bool = False
    only_true: bool = False


ANY = Kind("any")
STRING = Kind("string")
BOOL = Kind("boolean")
TRUE = Kind("boolean", only_true=True)
OBJECT = Kind("object")
ARRAY = Kind("array")
PATH = Kind("path", nullable=True)
REFPATH = Kind("refpath")
RESULT_PATH = Kind("refpath", nullable=True)
ERROR_PATH = Kind("error_path")
POSITIVE_SECONDS = Kind("integer", lo=1, hi=MAX_SECONDS)
NON_NEGATIVE_INT = Kind("integer", lo=0)


@dataclass(frozen=True)
class Shape:
    """The field rules of one kind of JSON object in a definition."""

    name: str
    fields: Mapping[str, Kind]
    required: tuple[frozenset[str], ...] = ()
    exclusive: tuple[frozenset[str], ...] = ()
    open: bool = False  # unknown fields tolerated (objects AWS keeps extending)


def _fs(*names: str) -> frozenset[str]:
    return frozenset(names)


STATE_TYPES = _fs("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
QUERY_LANGUAGE = Kind("string", enum=_fs("JSONPath", "JSONata"))

# Fields that exist only in one query language (developer guide, "Transforming data with
# JSONata": JSONata states drop the five JSONPath fields for Arguments and Output).
JSONPATH_ONLY = _fs(
    "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "Result",
    "ItemsPath", "TimeoutSecondsPath", "HeartbeatSecondsPath", "SecondsPath",
    "TimestampPath", "ErrorPath", "CausePath", "MaxConcurrencyPath",
    "ToleratedFailureCountPath", "ToleratedFailurePercentagePath", "Variable",
    "MaxItemsPath", "MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath",
)
JSONATA_ONLY = _fs("Arguments", "Output", "Items", "Condition")

# Fields whose value is never evaluated: a JSONata string there is not an expression.
NEVER_EVALUATED = _fs("Type", "Comment", "QueryLanguage", "Next", "End", "Default",
                      "Resource", "StartAt", "Version", "Label", "States")

_COMMON = {"Type": STRING, "Comment": STRING, "QueryLanguage": QUERY_LANGUAGE}
_IO = {"InputPath": PATH, "OutputPath": PATH, "Output": ANY, "Assign": OBJECT}
_FLOW = {"Next": STRING, "End": TRUE}
_RESULT = {"ResultPath": RESULT_PATH, "ResultSelector": OBJECT, "Retry": ARRAY, "Catch": ARRAY}
_NEXT_OR_END = (_fs("Next", "End"),)
_TIMEOUTS = (_fs("TimeoutSeconds", "TimeoutSecondsPath"),
             _fs("HeartbeatSeconds", "HeartbeatSecondsPath"))

STATE_SHAPES: Mapping[str, Shape] = {
    "Pass": Shape("Pass", {**_COMMON, **_IO, **_FLOW, "Parameters": ANY, "ResultPath": RESULT_PATH,
                           "Result": ANY}, _NEXT_OR_END, _NEXT_OR_END),
    "Task": Shape("Task", {
        **_COMMON, **_IO, **_FLOW, **_RESULT, "Resource": STRING, "Parameters": ANY,
        "Arguments": ANY, "TimeoutSeconds": POSITIVE_SECONDS, "TimeoutSecondsPath": REFPATH,
        "HeartbeatSeconds": POSITIVE_SECONDS, "HeartbeatSecondsPath": REFPATH,
        "Credentials": OBJECT,
    }, (_fs("Resource"), *_NEXT_OR_END), (*_NEXT_OR_END, *_TIMEOUTS)),
    "Choice": Shape("Choice", {**_COMMON, **_IO, "Choices": Kind("array", non_empty=True),
                               "Default": STRING}, (_fs("Choices"),)),
    "Wait": Shape("Wait", {
        **_COMMON, **_IO, **_FLOW, "Seconds": Kind("integer", lo=0, hi=MAX_SECONDS),
        "SecondsPath": REFPATH, "Timestamp": Kind("timestamp"), "TimestampPath": REFPATH,
    }, (_fs("Seconds", "SecondsPath", "Timestamp", "TimestampPath"), *_NEXT_OR_END),
        (_fs("Seconds", "SecondsPath", "Timestamp", "TimestampPath"), *_NEXT_OR_END)),
    "Succeed": Shape("Succeed", {**_COMMON, "InputPath": PATH, "OutputPath": PATH,
                                 "Output": ANY}),
    "Fail": Shape("Fail", {**_COMMON, "Error": STRING, "ErrorPath": ERROR_PATH,
                           "Cause": STRING, "CausePath": ERROR_PATH},
                  (), (_fs("Error", "ErrorPath"), _fs("Cause", "CausePath"))),
    "Parallel": Shape("Parallel", {**_COMMON, **_IO, **_FLOW, **_RESULT, "Parameters": ANY,
                                   "Arguments": ANY, "Branches": ARRAY},
                      (_fs("Branches"), *_NEXT_OR_END), _NEXT_OR_END),
    "Map": Shape("Map", {
        **_COMMON, **_IO, **_FLOW, **_RESULT, "Parameters": ANY, "ItemSelector": ANY,
        "ItemsPath": REFPATH, "Items": ANY, "ItemProcessor": OBJECT, "Iterator": OBJECT,
        "ItemReader": OBJECT, "ItemBatcher": OBJECT, "ResultWriter": OBJECT, "Label": STRING,
        "MaxConcurrency": NON_NEGATIVE_INT, "MaxConcurrencyPath": REFPATH,
        "ToleratedFailurePercentage": Kind("number", lo=0, hi=100),
        "ToleratedFailurePercentagePath": REFPATH,
        "ToleratedFailureCount": NON_NEGATIVE_INT, "ToleratedFailureCountPath": REFPATH,
    }, (_fs("ItemProcessor", "Iterator"), *_NEXT_OR_END), (
        *_NEXT_OR_END, _fs("ItemProcessor", "Iterator"), _fs("Parameters", "ItemSelector"),
        _fs("Items", "ItemsPath"), _fs("MaxConcurrency", "MaxConcurrencyPath"),
        _fs("ToleratedFailureCount", "ToleratedFailureCountPath"),
        _fs("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"))),
}

ERROR_EQUALS = Kind("string_array", non_empty=True)

MACHINE = Shape("State machine", {
    "StartAt": STRING, "States": OBJECT, "Comment": STRING, "Version": STRING,
    # statelint's machine fixtures put the ceiling below 99999999.
    "TimeoutSeconds": Kind("integer", lo=1, hi=MAX_SECONDS - 1), "QueryLanguage": QUERY_LANGUAGE,
}, (_fs("StartAt"), _fs("States")))
BRANCH = Shape("Branch", {"StartAt": STRING, "States": OBJECT, "Comment": STRING},
               (_fs("StartAt"), _fs("States")))
PROCESSOR = Shape("ItemProcessor", {"StartAt": STRING, "States": OBJECT, "Comment": STRING,
                                    "ProcessorConfig": OBJECT}, (_fs("StartAt"), _fs("States")))

# Nested objects, keyed by the field that holds them.
RETRIER = Shape("Retrier", {
    "ErrorEquals": ERROR_EQUALS, "Comment": STRING,
    "IntervalSeconds": Kind("integer", lo=1, hi=MAX_SECONDS),
    # statelint's retrier fixtures put the ceiling below 99999999.
    "MaxAttempts": Kind("integer", lo=0, hi=MAX_SECONDS - 1),
    "BackoffRate": Kind("number", lo=1.0),
    "MaxDelaySeconds": Kind("integer", lo=1, hi=31622400),
    "JitterStrategy": Kind("string", enum=_fs("FULL", "NONE")),
}, (_fs("ErrorEquals"),))
CATCHER = Shape("Catcher", {"ErrorEquals": ERROR_EQUALS, "Next": STRING, "Comment": STRING,
                            "ResultPath": RESULT_PATH, "Output": ANY, "Assign": OBJECT},
                (_fs("ErrorEquals"), _fs("Next")))
PROCESSOR_CONFIG = Shape("ProcessorConfig", {
    "Mode": Kind("string", enum=_fs("INLINE", "DISTRIBUTED")),
    "ExecutionType": Kind("string", enum=_fs("STANDARD", "EXPRESS")),
})
ITEM_READER = Shape("ItemReader", {"Resource": STRING, "Parameters": ANY, "Arguments": ANY,
                                   "ReaderConfig": OBJECT}, (_fs("Resource"),))
READER_CONFIG = Shape("ReaderConfig", {
    "MaxItems": Kind("integer", lo=1, hi=100_000_000), "MaxItemsPath": REFPATH,
    "InputType": STRING, "CSVHeaderLocation": STRING, "CSVHeaders": ARRAY,
    "CSVDelimiter": STRING, "ManifestType": STRING,
}, (), (_fs("MaxItems", "MaxItemsPath"),), open=True)
ITEM_BATCHER = Shape("ItemBatcher", {
    "MaxItemsPerBatch": Kind("integer", lo=1), "MaxItemsPerBatchPath": REFPATH,
    "MaxInputBytesPerBatch": Kind("integer", lo=1, hi=262144),
    "MaxInputBytesPerBatchPath": REFPATH, "BatchInput": ANY,
}, (), (_fs("MaxItemsPerBatch", "MaxItemsPerBatchPath"),
        _fs("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")))
RESULT_WRITER = Shape("ResultWriter", {"Resource": STRING, "Parameters": ANY, "Arguments": ANY,
                                       "WriterConfig": OBJECT},
                      (_fs("Resource", "WriterConfig"),))
WRITER_CONFIG = Shape("WriterConfig", {
    "OutputType": Kind("string", enum=_fs("JSON", "JSONL")),
    "Transformation": Kind("string", enum=_fs("NONE", "COMPACT", "FLATTEN")),
}, (_fs("OutputType"),))

# Map-state sub-objects: (field, shape, sub-objects of that object).
MAP_OBJECTS: tuple[tuple[str, Shape, tuple[tuple[str, Shape], ...]], ...] = (
    ("ItemReader", ITEM_READER, (("ReaderConfig", READER_CONFIG),)),
    ("ItemBatcher", ITEM_BATCHER, ()),
    ("ResultWriter", RESULT_WRITER, (("WriterConfig", WRITER_CONFIG),)),
    ("ItemProcessor", PROCESSOR, (("ProcessorConfig", PROCESSOR_CONFIG),)),
)

# Choice Rules: comparison operators and the kind of value each takes.
_COMPARED = {"String": STRING, "Numeric": Kind("number"), "Timestamp": Kind("timestamp")}
COMPARATORS: dict[str, Kind] = {}
for _prefix, _kind in _COMPARED.items():
    for _op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"):
        COMPARATORS[f"{_prefix}{_op}"] = _kind
        COMPARATORS[f"{_prefix}{_op}Path"] = REFPATH
COMPARATORS["BooleanEquals"] = BOOL
COMPARATORS["BooleanEqualsPath"] = REFPATH
COMPARATORS["StringMatches"] = STRING
for _test in ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"):
    COMPARATORS[_test] = BOOL
COMBINATORS = _fs("And", "Or", "Not")
CHOICE_RULE_EXTRA = {"Variable": REFPATH, "Comment": STRING, "Condition": ANY}
CHOICE_TOP_ONLY = {"Next": STRING, "Assign": OBJECT, "Output": ANY}
