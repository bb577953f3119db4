"""Server answers in the real formats, written here: a Plex hub list (JSON and XML) and a Jellyfin envelope.

Each function returns a new copy, free to be mutated. The items carry what
real servers send besides the card's fields, the server's file paths
included (Plex's ``Media``/``Part`` ``file``, Jellyfin's ``Path`` and
``MediaSources``), which must never be stored.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

#: The server file paths in the payloads below.
FILE_PATHS = ("/data/movies/Arrival (2016)/Arrival.mkv", "/data/tv/Severance/S02E01.mkv",
              "/data/music/Nils Frahm/Spaces/01.flac", "/srv/media/films/Wadjda.mp4")


def plex_hubs() -> dict[str, Any]:
    """``GET /hubs`` as JSON: Continue Watching, a library's recent movies, music and playlists."""
    return {"MediaContainer": {
        "size": 4, "allowSync": True, "identifier": "com.plexapp.plugins.library",
        "Hub": [
            {"hubKey": "/library/metadata/2101,3301", "key": "/hubs/home/continueWatching",
             "title": "Continue Watching", "type": "mixed", "hubIdentifier": "home.continue",
             "context": "hub.home.continue", "size": 2, "more": False, "style": "hero",
             "promoted": True, "Metadata": [_plex_episode(), _plex_movie()]},
            {"hubKey": "/library/metadata/3302", "key": "/hubs/sections/1/recentlyAdded",
             "title": "Recently Added in Films", "type": "movie",
             "hubIdentifier": "movie.recentlyadded.1", "context": "hub.movie.recentlyadded",
             "size": 1, "more": True, "style": "shelf",
             "Metadata": [_plex_movie("3302", "وجدة", FILE_PATHS[3])]},
            {"key": "/hubs/sections/3/recentlyAdded", "title": "Recently Added Music 🎵",
             "type": "album", "hubIdentifier": "music.recent.3", "context": "hub.music.recent",
             "size": 1, "more": False, "Directory": [
                 {"ratingKey": "4410", "key": "/library/metadata/4410/children", "type": "album",
                  "title": "Spaces", "parentTitle": "Nils Frahm", "year": 2013,
                  "thumb": "/library/metadata/4410/thumb/1700000000", "addedAt": 1700000000,
                  "Media": [{"Part": [{"file": FILE_PATHS[2]}]}]}]},
            {"key": "/playlists", "title": "Playlists", "type": "playlist",
             "hubIdentifier": "home.playlists", "context": "hub.home.playlists", "size": 1,
             "Metadata": [{"ratingKey": "5120", "key": "/playlists/5120/items", "type": "playlist",
                           "title": "Late night ✨", "composite": "/playlists/5120/composite/1",
                           "duration": 9_045_000, "leafCount": 31, "addedAt": 1699000000}]},
        ],
    }}


def _plex_episode() -> dict[str, Any]:
    return {
        "ratingKey": "2101", "key": "/library/metadata/2101", "parentRatingKey": "2100",
        "grandparentRatingKey": "2000", "guid": "plex://episode/6123abc", "type": "episode",
        "title": "Hello, Ms. Cobel", "grandparentTitle": "Severance", "parentTitle": "Season 2",
        "index": 1, "parentIndex": 2, "year": 2025, "viewOffset": 1_250_000,
        "lastViewedAt": 1737000000, "duration": 3_420_000, "addedAt": 1736900000,
        "thumb": "/library/metadata/2101/thumb/1736900000",
        "grandparentThumb": "/library/metadata/2000/thumb/1736900000",
        "art": "/library/metadata/2000/art/1736900000",
        "Media": [{"id": 9001, "container": "mkv", "videoResolution": "4k", "Part": [
            {"id": 9101, "key": "/library/parts/9101/1736900000/file.mkv", "file": FILE_PATHS[1],
             "size": 3_221_225_472}]}],
        "Director": [{"tag": "Ben Stiller"}],
    }


def _plex_movie(key: str = "3301", title: str = "Arrival", path: str = FILE_PATHS[0]) -> dict[str, Any]:
    return {
        "ratingKey": key, "key": f"/library/metadata/{key}", "type": "movie", "title": title,
        "studio": "Lava Bear", "year": 2016, "viewOffset": 600_000, "viewCount": 1,
        "lastViewedAt": 1735000000, "duration": 6_960_000, "addedAt": 1600000000,
        "thumb": f"/library/metadata/{key}/thumb/1600000000",
        "art": f"/library/metadata/{key}/art/1600000000",
        "Media": [{"id": 9002, "Part": [{"id": 9102, "key": f"/library/parts/9102/{key}/file.mkv",
                                         "file": path}]}],
        "Genre": [{"tag": "Science Fiction"}],
    }


# The XML element of a hub's item, by its type (anything else is a Directory).
_ITEM_ELEMENTS = {"movie": "Video", "episode": "Video", "clip": "Video", "track": "Track",
                  "photo": "Photo", "playlist": "Playlist"}


def plex_xml(document: dict[str, Any]) -> ET.Element:
    """The XML Plex sends for a JSON hub list: scalars become attributes, lists of objects children."""
    return _element("MediaContainer", document["MediaContainer"])


def _element(tag: str, fields: dict[str, Any]) -> ET.Element:
    element = ET.Element(tag)
    for name, value in fields.items():
        if isinstance(value, list):
            for child in value:
                child_tag = (_ITEM_ELEMENTS.get(child.get("type"), "Directory")
                             if name in ("Metadata", "Directory") else name)
                element.append(_element(child_tag, child))
        elif isinstance(value, bool):
            element.set(name, "1" if value else "0")
        elif value is not None:
            element.set(name, str(value))
    return element


MOVIES_VIEW = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
SHOWS_VIEW = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


def jellyfin_envelope() -> dict[str, Any]:
    """The answers jellyfin-web's home page is built from, as JellyfinBackend.parse takes them."""
    return {
        "views": _query(_view(MOVIES_VIEW, "Films", "movies"), _view(SHOWS_VIEW, "Séries", "tvshows")),
        "display_preferences": {
            "Id": "3ce5b65d-e116-d731-65d1-efc4a30ec35c", "Client": "emby", "SortBy": "SortName",
            "CustomPrefs": {"homesection0": "resume", "homesection1": "nextup",
                            "homesection2": "latestmedia", "homesection3": "none",
                            "chromecastVersion": "stable"},
        },
        "resume": _query(_jellyfin_episode()),
        "resume_audio": _query(),
        "next_up": _query(_jellyfin_episode("9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49", "Woe's Hollow", 4)),
        "latest": {MOVIES_VIEW: [_jellyfin_movie()],
                   SHOWS_VIEW: [_jellyfin_episode("1f2e3d4c5b6a79808f9e0d1c2b3a4f5e", "Cold Harbor", 10)]},
    }


def _query(*items: dict[str, Any]) -> dict[str, Any]:
    return {"Items": list(items), "TotalRecordCount": len(items), "StartIndex": 0}


def _view(view_id: str, name: str, collection_type: str) -> dict[str, Any]:
    return {"Name": name, "Id": view_id, "Type": "CollectionFolder", "CollectionType": collection_type,
            "IsFolder": True, "ImageTags": {"Primary": "aa00bb11cc22dd33ee44ff5566778899"}}


def _jellyfin_episode(item_id: str = "5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b", name: str = "Hello, Ms. Cobel",
                      index: int = 1) -> dict[str, Any]:
    return {
        "Name": name, "Id": item_id, "Type": "Episode", "IndexNumber": index, "ParentIndexNumber": 2,
        "SeriesName": "Severance", "SeriesId": "77aa88bb99cc00dd11ee22ff33aa44bb",
        "SeasonName": "Season 2", "ProductionYear": 2025, "RunTimeTicks": 34_200_000_000,
        "DateCreated": "2025-01-17T06:00:00.0000000Z", "Path": FILE_PATHS[1],
        "MediaSources": [{"Id": item_id, "Path": FILE_PATHS[1], "Protocol": "File"}],
        "UserData": {"PlaybackPositionTicks": 12_500_000_000, "PlayCount": 0,
                     "LastPlayedDate": "2025-01-18T21:04:05.1234567Z", "Played": False},
        "ImageTags": {"Primary": "0123456789abcdef0123456789abcdef"},
        "SeriesPrimaryImageTag": "fedcba9876543210fedcba9876543210",
        "ParentBackdropItemId": "77aa88bb99cc00dd11ee22ff33aa44bb",
        "ParentBackdropImageTags": ["00112233445566778899aabbccddeeff"],
    }


def _jellyfin_movie() -> dict[str, Any]:
    return {
        "Name": "Arrival", "Id": "a1b2c3d4e5f60718293a4b5c6d7e8f90", "Type": "Movie",
        "ProductionYear": 2016, "RunTimeTicks": 69_600_000_000, "Path": FILE_PATHS[0],
        "DateCreated": "2024-05-01T12:00:00.0000000Z",
        "UserData": {"PlaybackPositionTicks": 0, "PlayCount": 2, "Played": True},
        "ImageTags": {"Primary": "ffeeddccbbaa99887766554433221100"},
        "BackdropImageTags": ["0f1e2d3c4b5a69788796a5b4c3d2e1f0"],
    }
