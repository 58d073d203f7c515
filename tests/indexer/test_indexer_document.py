"""The metadata body, the document and its id (pure functions, no HTTP)."""

from __future__ import annotations

import hashlib
import json

import pytest
from indexer_errors import InvalidMetadata, InvalidPayload
from metadata_document import (
    Source,
    build_document,
    document_id,
    parse_metadata,
    source_from_payload,
)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b'{"a": "\xc3"}', "not valid UTF-8"),
        ('{"a": "caf\ufffd"}', "not valid UTF-8"),
        ('{"a": "\udcff"}', "not valid UTF-8"),
        ("", "empty"),
        ("  \n\t", "empty"),
        (b"", "empty"),
        ("\ufeff", "empty"),
        ("{", "not valid JSON"),
        ("{'a': 1}", "not valid JSON"),
        ('{"a": 1} trailing', "not valid JSON"),
        ('{"a": NaN}', "not valid JSON"),
        ("[1, 2]", "JSON object, not an array"),
        ("null", "JSON object, not null"),
        ("42", "JSON object, not a number"),
        ('"text"', "JSON object, not a string"),
        ("true", "JSON object, not a boolean"),
    ],
)
def test_every_bad_body_is_invalid_metadata(body, reason):
    with pytest.raises(InvalidMetadata, match=reason):
        parse_metadata(body)


def test_invalid_metadata_is_reported_under_its_exact_class_name():
    # Lambda reports errorType = the bare class name; the workflow catches that string.
    assert InvalidMetadata.__name__ == "InvalidMetadata"


def test_valid_bodies_parse_as_objects_including_unicode_and_a_bom():
    assert parse_metadata('{"title": "Zürich"}') == {"title": "Zürich"}
    assert parse_metadata("\ufeff{}") == {}
    assert parse_metadata(b'{"n": 1}') == {"n": 1}
    assert parse_metadata(b'\xef\xbb\xbf{"n": 1}') == {"n": 1}


def test_a_body_that_is_not_text_breaks_the_contract_rather_than_the_metadata():
    with pytest.raises(InvalidPayload):
        parse_metadata({"already": "parsed"})


def test_id_is_sha256_of_a_json_array_with_the_version_id():
    source = Source("bkt", "a/metadata.json", etag="e1", version_id="v1")
    expected = hashlib.sha256(
        b'["metapipe/v1","bkt","a/metadata.json","versionId","v1"]'
    ).hexdigest()
    assert document_id(source) == expected
    assert len(expected) == 64


def test_id_falls_back_to_the_etag_without_a_version():
    source = Source("bkt", "metadata.json", etag="e1")
    expected = hashlib.sha256(b'["metapipe/v1","bkt","metadata.json","etag","e1"]').hexdigest()
    assert document_id(source) == expected


def test_id_encoding_is_unambiguous_where_naive_concatenation_collides():
    # bucket "a" + key "b/c" and bucket "a/b" + key "c" concatenate to the same text.
    assert document_id(Source("a", "b/c", "e")) != document_id(Source("a/b", "c", "e"))
    # a version id equal to some ETag does not collide with that ETag.
    assert document_id(Source("a", "k", "x", "x")) != document_id(Source("a", "k", "x"))


def test_id_ignores_quotes_around_the_etag():
    payload = {"source": {"bucket": "b", "key": "k", "etag": '"abc"'}}
    assert source_from_payload(payload) == Source("b", "k", "abc")


def test_id_of_a_unicode_key_hashes_its_utf8():
    source = Source("b", "é/metadata.json", "e")
    text = json.dumps(["metapipe/v1", "b", "é/metadata.json", "etag", "e"],
                      ensure_ascii=False, separators=(",", ":"))
    assert document_id(source) == hashlib.sha256(text.encode()).hexdigest()


def test_document_nests_metadata_beside_timestamp_and_source():
    source = Source("b", "k/metadata.json", "e", "v")
    metadata = {"source": "user field kept", "@timestamp": "user field kept"}
    assert build_document(metadata, source, "2026-01-01T00:00:00Z") == {
        "@timestamp": "2026-01-01T00:00:00Z",
        "source": {"bucket": "b", "key": "k/metadata.json", "versionId": "v", "etag": "e"},
        "metadata": metadata,
    }


def test_unversioned_source_has_no_version_id_field():
    assert Source("b", "k", "e").to_json() == {"bucket": "b", "key": "k", "etag": "e"}


@pytest.mark.parametrize(
    "source",
    [None, {}, {"bucket": "b", "key": "k"}, {"bucket": "", "key": "k", "etag": "e"},
     {"bucket": "b", "key": "k", "etag": "e", "versionId": 3}],
)
def test_a_malformed_source_is_a_contract_violation(source):
    with pytest.raises(InvalidPayload):
        source_from_payload({"source": source})
