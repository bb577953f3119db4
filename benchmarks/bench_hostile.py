"""Do hostile payloads parse, or get refused, in bounded time and memory?

Each payload is what a broken or malicious server could send: hundreds of
thousands of empty hubs, a million items, a 50 MB context string, nesting
100,000 deep, entity expansion, numbers and strings JSON allows but no server
means. For each, the Plex backend's ``parse()`` (or the Jellyfin backend's,
for the envelope) is timed and its peak memory traced, against the bare
decode of the same bytes (``json.loads``, or defusedxml's parse for XML).

Target, for every payload: parse (or refusal) in at most 3 x the bare
decode's time + 0.1 s, with a peak of at most 1.5 x the bare decode's peak +
50 MB. Times are medians of ``--repeat`` runs; the peak is one traced run
(tracemalloc), apart from the timed ones. Prints one JSON object.

    python benchmarks/bench_hostile.py [--repeat 3] [--only NAME]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
import tracemalloc
from typing import Any, Callable

import defusedxml.ElementTree

from homesections import PayloadError
from homesections_jellyfin import JellyfinBackend
from homesections_plex import PlexBackend

MB = 1024 * 1024


def _container(hubs: str) -> bytes:
    return ('{"MediaContainer": {"size": 1, "Hub": [' + hubs + "]}}").encode()


def payloads() -> dict[str, tuple[str, bytes]]:
    """name -> (kind, bytes); kind is "json", "xml" or "jellyfin"."""
    deep = 100_000
    nuls = "\\u0000" * 200  # JSON escapes of NUL, 200 of them
    return {
        "empty_hubs_3mb": ("json", _container(",".join(["{}"] * 750_000))),
        "million_items": ("json", _container(
            '{"hubIdentifier": "all", "Metadata": ['
            + ",".join(f'{{"ratingKey":"{n}","type":"movie"}}' for n in range(1_000_000)) + "]}")),
        "million_keyless_items": ("json", _container(
            '{"hubIdentifier": "all", "Metadata": [' + ",".join(['{"type":"movie"}'] * 1_000_000) + "]}")),
        "context_50mb": ("json", _container(
            '{"hubIdentifier": "h", "title": "T", "context": "hub.' + "x" * (50 * MB) + '"}')),
        "deep_json": ("json", b'{"MediaContainer": {"Hub": ' + b"[" * deep + b"]" * deep + b"}}"),
        "literals": ("json", _container(",".join(
            f'{{"hubIdentifier": "h{n}", "size": NaN, "more": Infinity, "Metadata": [{{"ratingKey": '
            f'"k{n}", "type": "movie", "year": 1{"0" * 5000}, "duration": -Infinity}}]}}'
            for n in range(500)))),
        "surrogates_and_nul": ("json", _container(",".join(
            f'{{"hubIdentifier": "h{n}\\u0000", "title": "\\ud800\\udfff\\ud83d", "Metadata": '
            f'[{{"ratingKey": "k\\u0000{n}", "type": "\\udc00", "title": "{nuls}"}}]}}'
            for n in range(2_000)))),
        "invalid_utf8": ("json", _container(",".join(['{"hubIdentifier": "\xff\xfe"}'] * 1000)).replace(
            b"\xc3\xbf\xc3\xbe", b"\xff\xfe")),
        "many_hubs_xml": ("xml", b"<MediaContainer>" + b"<Hub/>" * 750_000 + b"</MediaContainer>"),
        "deep_xml": ("xml", b"<MediaContainer><Hub hubIdentifier='h'>" + b"<a>" * deep + b"</a>" * deep
                     + b"</Hub></MediaContainer>"),
        "billion_laughs": ("xml", b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                           + b"".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">'.encode()
                                      for n in range(1, 10))
                           + b"]><MediaContainer>&lol9;</MediaContainer>"),
        "external_entity": ("xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                            b"<MediaContainer>&e;</MediaContainer>"),
        "jellyfin_million_items": ("jellyfin", (
            '{"resume": {"TotalRecordCount": 1, "Items": ['
            + ",".join(f'{{"Id":"{n}","Type":"Movie"}}' for n in range(1_000_000)) + "]}}").encode()),
    }


def bare_decode(kind: str) -> Callable[[bytes], Any]:
    if kind == "xml":
        def decode(data: bytes) -> Any:
            try:
                return defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
            except Exception as exc:  # the decoder refuses it too: that is its cost
                return exc
        return decode

    def loads(data: bytes) -> Any:
        try:
            return json.loads(data)
        except (ValueError, RecursionError) as exc:
            return exc
    return loads


def library_parse(kind: str) -> Callable[[bytes], Any]:
    backend = JellyfinBackend() if kind == "jellyfin" else PlexBackend()

    def parse(data: bytes) -> Any:
        try:
            return backend.parse(data)
        except PayloadError as exc:
            return exc
    return parse


def timed(fn: Callable[[bytes], Any], data: bytes, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = fn(data)
        times.append(time.perf_counter() - started)
        del result
    result = fn(data)
    return statistics.median(times), result


def traced_peak(fn: Callable[[bytes], Any], data: bytes) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        result = fn(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default=None, help="run the payload of this name only")
    args = parser.parse_args(argv)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))

    results: dict[str, Any] = {}
    for name, (kind, data) in payloads().items():
        if args.only and name != args.only:
            continue
        decode, parse = bare_decode(kind), library_parse(kind)
        decode_s, _ = timed(decode, data, args.repeat)
        parse_s, outcome = timed(parse, data, args.repeat)
        decode_peak, parse_peak = traced_peak(decode, data), traced_peak(parse, data)
        refused = isinstance(outcome, PayloadError)
        results[name] = {
            "bytes": len(data),
            "outcome": f"refused: {str(outcome)[:90]}" if refused else f"page of {len(outcome)} sections",
            "decode_ms": round(decode_s * 1000, 1),
            "parse_ms": round(parse_s * 1000, 1),
            "decode_peak_mb": round(decode_peak / MB, 1),
            "parse_peak_mb": round(parse_peak / MB, 1),
            "time_ok": parse_s <= 3 * decode_s + 0.1,
            "memory_ok": parse_peak <= 1.5 * decode_peak + 50 * MB,
        }
    report = {"repeat": args.repeat, "payloads": results,
              "all_within_targets": all(r["time_ok"] and r["memory_ok"] for r in results.values())}
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    sys.exit(0 if main()["all_within_targets"] else 1)
