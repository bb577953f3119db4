"""How much does the Plex parse cost on top of reading the payload?

Builds a large synthetic hub list (60 hubs, 720 item entries with the fields a
real Plex Media Server sends, Media/Part included, and a few repeated items),
serialises it as JSON bytes and as XML bytes, then times, as the median of
``--repeat`` runs with :func:`time.perf_counter`:

- ``parse()`` of the JSON bytes against ``json.loads`` of the same bytes;
- ``parse()`` of the XML bytes against ``defusedxml.ElementTree.fromstring`` alone.

Prints one JSON object. Target: ``parse_json / json_loads <= 2``.

    python benchmarks/bench_parse.py [--repeat 30] [--hubs 60] [--items 12]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
import xml.etree.ElementTree as ET
from typing import Any, Callable

import defusedxml.ElementTree

from homesections_plex.parse import parse

# (type, XML element) cycled through so every item type is exercised.
KINDS = (
    ("movie", "Video"), ("episode", "Video"), ("show", "Directory"), ("season", "Directory"),
    ("clip", "Video"), ("album", "Directory"), ("artist", "Directory"), ("track", "Track"),
    ("photo", "Photo"), ("playlist", "Playlist"), ("collection", "Directory"),
)
BASE_TIME = 1_673_839_793


def make_item(n: int) -> tuple[str, dict[str, Any]]:
    """One item as Plex sends it in a hub, shaped like the movies of the real
    fixture replex_hubs_sections_6.json: scalar fields, tag lists and Media/Part."""
    kind, tag = KINDS[n % len(KINDS)]
    rating_key = str(100_000 + n)
    item: dict[str, Any] = {
        "ratingKey": rating_key,
        "key": f"/library/metadata/{rating_key}",
        "guid": f"plex://{kind}/5d77689f7a53e9001e{n:06d}",
        "studio": "TriStar Pictures",
        "type": kind,
        "title": f"Title number {n} \u2014 caf\u00e9",
        "librarySectionTitle": "Movies",
        "librarySectionID": 6,
        "librarySectionKey": "/library/sections/6",
        "contentRating": "R",
        "summary": "In 2074, when the mob wants to get rid of someone, the target is sent "
                   "into the past, where a hired gun awaits - someone like Joe - who one day "
                   "learns the mob wants to 'close the loop' by sending back his future self.",
        "rating": 7.4,
        "audienceRating": 8.2,
        "year": 2000 + n % 24,
        "tagline": "Hunted by your future, haunted by your past.",
        "thumb": f"/library/metadata/{rating_key}/thumb/1674785266",
        "art": f"/library/metadata/{rating_key}/art/1674785266",
        "duration": 7_117_736 + n,
        "originallyAvailableAt": "2012-09-26",
        "addedAt": BASE_TIME + n,
        "updatedAt": BASE_TIME + 2 * n,
        "audienceRatingImage": "rottentomatoes://image.rating.upright",
        "chapterSource": "media",
        "primaryExtraKey": f"/library/metadata/{200_000 + n}",
        "ratingImage": "rottentomatoes://image.rating.ripe",
        "Genre": [{"tag": "Action"}, {"tag": "Drama"}],
        "Director": [{"tag": "Rian Johnson"}],
        "Writer": [{"tag": "Rian Johnson"}],
        "Country": [{"tag": "United States of America"}],
        "Collection": [{"tag": "Trending"}],
        "Role": [{"tag": f"Actor {i}"} for i in range(3)],
    }
    if kind in ("episode", "season", "track"):
        item.update(
            parentTitle="Season 1", grandparentTitle="The Show", index=n % 20, parentIndex=1,
            parentThumb=f"/library/metadata/{n}/thumb/1", grandparentThumb=f"/library/metadata/{n}/thumb/2",
        )
    if n % 3 == 0:
        item.update(viewOffset=461_000 + n, viewCount=n % 4, lastViewedAt=BASE_TIME + 5 * n)
    if kind in ("movie", "episode", "clip", "track"):
        item["Media"] = [{
            "id": 270_000 + n, "duration": 7_117_736 + n, "bitrate": 17550, "width": 3840,
            "height": 1600, "aspectRatio": 2.35, "audioChannels": 6, "audioCodec": "dca-ma",
            "videoCodec": "hevc", "videoResolution": "4k", "container": "mkv",
            "videoFrameRate": "24p", "audioProfile": "ma", "videoProfile": "main 10",
            "Part": [{
                "id": 271_000 + n, "key": f"/library/parts/{271_000 + n}/1632337352/file.mkv",
                "duration": 7_117_736 + n, "size": 15_614_403_675, "audioProfile": "ma",
                "container": "mkv", "hasThumbnail": "1", "videoProfile": "main 10",
                "file": f"/data/movies/Title {n} (2012)/Title {n} (2012) - 2160p bluray h265.mkv",
            }],
        }]
    return tag, item


def make_hubs(hubs: int, per_hub: int) -> list[tuple[dict[str, Any], list[tuple[str, dict]]]]:
    """Hubs with their items; hub ``i`` repeats one item of hub ``i - 1`` and one of its own."""
    result = []
    for h in range(hubs):
        items = [make_item(h * per_hub + i) for i in range(per_hub)]
        if h:
            items[-1] = make_item(h * per_hub - 1)  # the same item in two hubs
        items.append(items[0])  # the same item twice in one hub
        hub = {
            "hubKey": "/library/metadata/" + ",".join(i["ratingKey"] for _, i in items),
            "key": f"/hubs/sections/6/hub{h}",
            "title": f"Hub {h}",
            "type": "mixed",
            "hubIdentifier": f"custom.collection.6.{250_000 + h}",
            "context": "hub.custom.collection",
            "size": len(items),
            "more": h % 2 == 0,
            "style": "shelf",
            "promoted": True,
        }
        result.append((hub, items))
    return result


def to_json(hubs: list) -> bytes:
    body = []
    for hub, items in hubs:
        entry = dict(hub)
        entry["Metadata"] = [i for tag, i in items if tag != "Directory"]
        entry["Directory"] = [i for tag, i in items if tag == "Directory"]
        body.append(entry)
    container = {"size": len(body), "allowSync": True, "Hub": body}
    return json.dumps({"MediaContainer": container}).encode()


def to_xml(hubs: list) -> bytes:
    root = ET.Element("MediaContainer", size=str(len(hubs)), allowSync="1")
    for hub, items in hubs:
        hub_element = ET.SubElement(root, "Hub", {k: _xml_value(v) for k, v in hub.items()})
        # JSON lists Metadata before Directory; XML in the same order gives the same page.
        for tag, item in sorted(items, key=lambda pair: pair[0] == "Directory"):
            scalars = {k: _xml_value(v) for k, v in item.items() if not isinstance(v, list)}
            element = ET.SubElement(hub_element, tag, scalars)
            for name in ("Media", "Genre", "Director", "Writer", "Country", "Collection", "Role"):
                for child in item.get(name, ()):
                    sub = ET.SubElement(element, name, {
                        k: _xml_value(v) for k, v in child.items() if k != "Part"
                    })
                    for part in child.get("Part", ()):
                        ET.SubElement(sub, "Part", {k: _xml_value(v) for k, v in part.items()})
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _xml_value(value: Any) -> str:
    return ("1" if value else "0") if isinstance(value, bool) else str(value)


def timings(functions: dict[str, Callable[[], Any]], repeat: int) -> dict[str, list[float]]:
    """Seconds per run of each function. The runs are interleaved so that a
    busy machine slows every contender alike and the ratios stay fair."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for function in functions.values():
        function()  # warm up
    for _ in range(repeat):
        for name, function in functions.items():
            gc.collect()  # each run starts from the same heap; the collector stays on inside it
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return times


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=30)
    options.add_argument("--hubs", type=int, default=60)
    options.add_argument("--items", type=int, default=12, help="distinct items per hub")
    args = options.parse_args()

    hubs = make_hubs(args.hubs, args.items)
    json_bytes, xml_bytes = to_json(hubs), to_xml(hubs)
    page = parse(json_bytes)
    if page != parse(xml_bytes):
        raise SystemExit("the JSON and XML payloads do not give the same page")
    result: dict[str, Any] = {
        "hubs": len(page.sections),
        "item_entries": sum(len(items) for _, items in hubs),
        "items_kept": sum(len(s.items) for s in page.sections),
        "json_bytes": len(json_bytes),
        "xml_bytes": len(xml_bytes),
        "repeat": args.repeat,
    }
    del hubs, page  # the timed runs should not share the heap with the generator's data

    # Each pair is timed on its own: XML trees left in the allocator slow
    # json.loads more than they slow parse(), which would flatter the ratio.
    times = timings({
        "parse_json": lambda: parse(json_bytes),
        "json_loads": lambda: json.loads(json_bytes),
    }, args.repeat)
    times.update(timings({
        "parse_xml": lambda: parse(xml_bytes),
        "xml_parse": lambda: defusedxml.ElementTree.fromstring(xml_bytes),
    }, args.repeat))
    median = {name: statistics.median(values) for name, values in times.items()}
    best = {name: min(values) for name, values in times.items()}
    for name in times:
        result[f"{name}_ms"] = round(median[name] * 1000, 3)
    result["parse_json / json_loads"] = round(median["parse_json"] / median["json_loads"], 2)
    result["parse_xml / xml_parse"] = round(median["parse_xml"] / median["xml_parse"], 2)
    # The same ratios from the fastest runs: steadier on a shared machine.
    result["best parse_json / json_loads"] = round(best["parse_json"] / best["json_loads"], 2)
    result["best parse_xml / xml_parse"] = round(best["parse_xml"] / best["xml_parse"], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
