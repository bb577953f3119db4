"""homesections.decoding: the format, the encoding and the value of a server's bytes."""

from __future__ import annotations

import codecs
import math

import pytest

import homesections.decoding as decoding
from homesections import PayloadError
from homesections.decoding import detect_encoding, is_xml, load_json, load_xml

XML = '<?xml version="1.0" encoding="{}"?><MediaContainer size="1"><Hub title="Über ☂"/></MediaContainer>'
JSON = '{"MediaContainer": {"Hub": [{"title": "Über ☂"}]}}'
ENCODINGS = ["utf-8", "utf-16-be", "utf-16-le", "utf-32-be", "utf-32-le"]
BOMS = {"utf-8": codecs.BOM_UTF8, "utf-16-be": codecs.BOM_UTF16_BE, "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-32-be": codecs.BOM_UTF32_BE, "utf-32-le": codecs.BOM_UTF32_LE}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("bom", [False, True])
def test_the_encoding_is_found_by_mark_or_by_the_zeros_around_the_first_character(encoding, bom):
    data = (BOMS[encoding] if bom else b"") + "<M/>".encode(encoding)
    assert detect_encoding(data) == (encoding, len(BOMS[encoding]) if bom else 0)
    assert detect_encoding((BOMS[encoding] if bom else b"") + '{"a"'.encode(encoding))[0] == encoding


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("bom", [False, True])
def test_xml_in_any_unicode_encoding_is_read_as_xml(encoding, bom):
    declared = {"utf-8": "UTF-8"}.get(encoding, encoding.upper()[:6])
    data = (BOMS[encoding] if bom else b"") + XML.format(declared).encode(encoding)

    assert is_xml(data)
    root = load_xml(data, "XML")
    assert root[0].get("title") == "Über ☂"


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_json_in_any_unicode_encoding_is_read_as_json(encoding, json_path):
    data = JSON.encode(encoding)
    assert not is_xml(data)
    assert load_json(data, "JSON")["MediaContainer"]["Hub"][0]["title"] == "Über ☂"


def test_text_with_a_byte_order_mark_reads_as_text_without_it(json_path):
    assert load_json("\ufeff" + JSON, "JSON")["MediaContainer"]["Hub"][0]["title"] == "Über ☂"
    assert is_xml("\ufeff  <MediaContainer/>")


@pytest.mark.parametrize("text, check", [
    ('{"n": NaN}', lambda v: math.isnan(v["n"])),
    ('{"n": Infinity}', lambda v: v["n"] == math.inf),
    ('{"n": ' + "9" * 400 + "}", lambda v: v["n"] == int("9" * 400)),
    ('{"s": "\\ud800"}', lambda v: v["s"] == "\ud800"),
    ('\ufeff{"a": 1}', lambda v: v == {"a": 1}),
])
def test_what_orjson_refuses_the_standard_library_decides(text, check, json_path):
    assert check(load_json(text.encode("utf-8"), "JSON"))


@pytest.mark.parametrize("data, message", [
    (b'{"a": ', "not JSON"),
    (b"\xff\xfe\xfa\x00", "not JSON"),
    (b'{"a": "\xc3\x28"}', "not JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply|not JSON"),
])
def test_json_that_cannot_be_read_is_a_payload_error(data, message, json_path):
    with pytest.raises(PayloadError, match=message):
        load_json(data, "a hub list")


@pytest.mark.parametrize("data, message", [
    (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><MediaContainer>&a;</MediaContainer>', "DTD"),
    (b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>', "DTD"),
    (b"<MediaContainer><Hub></MediaContainer>", "not XML"),
    (codecs.BOM_UTF32_BE + b"\x00\x00\x00<\xff\xff\xff\xff", "not valid UTF-32-BE"),
    (b'<?xml version="1.0" encoding="klingon"?><x/>', "not XML"),
])
def test_xml_that_cannot_be_read_or_must_not_be_is_a_payload_error(data, message):
    with pytest.raises(PayloadError, match=message):
        load_xml(data, "a hub list")


def test_plex_xml_in_utf16_without_a_mark_parses_as_xml_not_as_json():
    from homesections_plex import PlexBackend

    data = XML.format("UTF-16").replace('<Hub title="Über ☂"/>', (
        '<Hub hubIdentifier="home.ondeck" title="Über ☂" size="1">'
        '<Video ratingKey="1" type="movie" title="Heat"/></Hub>')).encode("utf-16-be")

    page = PlexBackend().parse(data)

    assert [(s.title, [i.title for i in s.items]) for s in page] == [("Über ☂", ["Heat"])]
