"""SectionType.classify: its rules, and the real hub identifiers they are checked against.

The table is the project's own research data (not a fixture): each row is
(identifier, context or None, title seen or None, expected section type,
citation). Identifiers and contexts are exactly as seen in the cited source
(case and numeric parts kept). Every citation is "owner/repo path@commit
(what)", except those marked "project:" (this repository's Jellyfin adapter,
which defines those identifiers).

Judgement calls:
* tv.recentlyaired ("Recently Released Episodes")            -> recently_released (what the row is).
* tv.startwatching ("Start Watching"), tv.rediscover,
  movie.similar ("More Like This"), video.unwatched.random   -> recommended: the server suggests things
                                                                 to watch next; none is a history row.
* movie.by.actor.or.director, movie.actor, movie.director,
  tv.morefromnetwork, movie.curated ("Seasonal Movies")       -> recommended: a server spotlight keyed on a
                                                                 person / network / season; no closer type.
* tv.moreingenre ("More in (Genre)"), movie.genre            -> genre.
* movie.topunwatched ("Top Unwatched"), tv.toprated          -> top_rated.
* music.popular (most played)                                -> trending.
* music.touring, photo.random.*, video.random.*              -> custom: no type fits (date-themed or
                                                                 touring-artist picks).
* custom.collection.* (any shape, any title, even "Trending",
  "Popular", "Because you watched ...")                      -> collection: a person's collection promoted
                                                                 to home; its title says nothing.
* /hubs/search result hubs (context "")                      -> the type of what they hold when one fits
                                                                 (collection, playlists, genre), else custom.
"""

from __future__ import annotations

import inspect
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homesections import SectionType, classification
from homesections.classification import CLASSIFICATION_RULES

# --- SectionType -------------------------------------------------------------


def test_section_type_is_exactly_the_documented_closed_set():
    assert [t.value for t in SectionType] == [
        "continue_watching", "on_deck", "next_up", "recently_added", "recently_released",
        "recently_played", "playlists", "collection", "genre", "top_rated", "trending",
        "recommended", "custom",
    ]


def test_section_type_is_a_str_enum_whose_text_is_its_value():
    assert issubclass(SectionType, str)
    assert SectionType.ON_DECK == "on_deck"
    assert str(SectionType.ON_DECK) == "on_deck"
    assert f"{SectionType.ON_DECK}" == "on_deck"
    assert SectionType("genre") is SectionType.GENRE


def test_section_type_rejects_a_value_outside_the_set():
    with pytest.raises(ValueError):
        SectionType("favourites")


# --- the real identifiers ------------------------------------------------------

HUBMAP = "plexinc/plex-for-kodi lib/windows/home.py@018101e4c5b7d057600462265e1a9deb7a3aa81b (HomeWindow.HUBMAP)"
AGREGARR = ("agregarr/agregarr server/lib/collections/utils/HubIdentifierUtils.ts"
            "@b1fd0435544161549e37c90b983a4b4a65486a93 (getBuiltInHubDisplayName: managed-hub identifier -> title)")
SHORTLIST_MANAGE = ("stevezau/shortlist tests/fixtures/pms_managed_hubs.xml.txt@f08131261cdfe7a3735e7ec257ec6ec29b734067"
                    " (PMS 1.43.3 GET /hubs/sections/1/manage, <Hub identifier=...>)")
SHORTLIST_SHARED = ("stevezau/shortlist tests/fixtures/pms_hubs_shared_account.json@6c4399213e2509566cd9ea3445083a3105f31d14"
                    " (PMS 1.43.3 GET /hubs, recorded; identifiers/contexts verbatim)")
SHORTLIST_HOME = ("stevezau/shortlist tests/fixtures/pms_hubs_home.json@a0b47297012570f693c29e44e92304f19c639e89"
                  " (PMS 1.43.3 GET /hubs, 'reconstructed from live observations')")
REPLEX_PROMOTED = "lostb1t/replex tests/mock/in/hubs_promoted_6_7.json@55975c1 (GET /hubs/promoted; = ../shared/fixtures/plex)"
REPLEX_SECTION = "lostb1t/replex tests/mock/in/hubs_sections_6.json@df4410a04003d1750d69d5c02bacff261e236cda (GET /hubs/sections/6)"
SPEC_SEARCH = ("LukeHagar/plex-api-spec tests/paths/hubs/get-hubs-search.spec.ts@b0460f065f84b94182140ad40cc142251cd7295c"
               " (GET /hubs/search?query=action response)")
PCS = ("bdaniel7/pcs src/PlexCompatibleServer.Api/Controllers/HubController.cs@1151ced327edaa9eae27f83cbcfedaa071736eff"
       " (PMS emulator; identifier/context pair it serves)")
PANNAL = "pannal/plex-for-kodi lib/windows/home.py@018abc684e5885ce5dafe4af95259abec7381cdf"
JF_WEB = "jellyfin/jellyfin-web src/types/homeSectionType.ts@3ea8f6c8a5d95281bc3be82d5540b97b31f9d2e4 (HomeSectionType.{0})"
JF_ADAPTER = "project: backends/jellyfin/homesections_jellyfin/parse.py (_QUERY_ROWS / latest rows)"

HUB_IDENTIFIERS = [
    # --- Plex home (/hubs, /hubs/promoted) -------------------------------------------------------
    ("home.continue", "hub.home.continue", "Continue Watching", "continue_watching", REPLEX_PROMOTED),
    ("home.movies.recent.6", "hub.home.movies.recent", "Recently Added Movies", "recently_added", REPLEX_PROMOTED),
    ("custom.collection.6.254687.254687", "hub.custom.collection", "Trending", "collection", REPLEX_PROMOTED),
    ("home.movies.recent", "hub.home.movies.recent", "Recently Added Movies", "recently_added", SHORTLIST_SHARED),
    ("custom.collection.1.577628.577628", "hub.custom.collection", "\U0001f465 Popular Movies on Example Server", "collection", SHORTLIST_SHARED),
    ("custom.collection.1.506410.506410", "hub.custom.collection", "Movies Trending (Unwatched)", "collection", SHORTLIST_SHARED),
    ("custom.collection.1.624690.624690", "hub.custom.collection", "\U0001f3af Because you watched A Sample Film", "collection", SHORTLIST_SHARED),
    ("custom.collection.2.577629.577629", "hub.custom.collection", "\U0001f465 Popular TV Shows on Example Server", "collection", SHORTLIST_SHARED),
    ("custom.collection.2.624683.624683", "hub.custom.collection", "\u2728 TV Shows Picked for You", "collection", SHORTLIST_SHARED),
    ("custom.collection.571285", "hub.custom.collection~68", "\u2728 Picked for You", "collection", SHORTLIST_HOME),
    ("movie.recentlyadded.1", "hub.movie.recentlyadded", "Recently Added Movies", "recently_added", SHORTLIST_HOME),
    ("home.playlists", "hub.home.playlists", "Recent Playlists", "playlists",
     "LukeHagar/plex-api-spec paths/hubs/hubs.yaml@b564f22fb2400b40405414dd7dde1447c66e2847 (GET /hubs example Hub)"),
    ("home.onDeck", "hub.home.onDeck", None, "on_deck",
     "LukeHagar/plexjs docs/models/shared/hub.md@24173518503f90463241515a3f75956790b01d63 (Hub example, from the PMS spec)"),
    ("home.ondeck", "hub.home.ondeck", "On Deck", "on_deck", PCS + "; also " + HUBMAP),
    ("home.television.recent", "hub.home.television.recent", "Recently Added TV", "recently_added", PCS + "; also " + HUBMAP),
    ("home.music.recent", "hub.home.music.recent", "Recently Added Music", "recently_added", PCS + "; also " + HUBMAP),
    ("home.photos.recent", "hub.home.photos.recent", "Recently Added Photos", "recently_added", PCS + "; also " + HUBMAP),
    ("home.videos.recent", "hub.home.videos.recent", "Recently Added Videos", "recently_added", PCS + "; also " + HUBMAP),
    ("continueWatching", "hub.continueWatching", "Continue Watching", "continue_watching",
     PCS + " (/hubs/continueWatching); also " + PANNAL + " (HUBS_MIXED_CONTENT: 'Combined continue watching hub')"),

    # --- Plex library section hubs (/hubs/sections/<id>) ------------------------------------------
    ("movie.inprogress.6", "hub.movie.inprogress", "Continue Watching", "continue_watching", REPLEX_SECTION),
    ("custom.collection.6.254688.254688", "hub.custom.collection", "Popular", "collection", REPLEX_SECTION),
    ("movie.recentlyviewed.1", "hub.movie.recentlyviewed", "Recently Played Movies", "recently_played",
     "LukeHagar/plex-api-spec paths/hubs/section.yaml@b564f22fb2400b40405414dd7dde1447c66e2847 (GET /hubs/sections/{id} example Hub)"),
    ("movie.similar", "hub.movie.similar", "More Like This", "recommended",
     PCS + " (/hubs/metadata/{id}/related, doc comment quotes the official response)"),

    # --- Plex managed hubs (/hubs/sections/<id>/manage) ------------------------------------------
    ("movie.recentlyadded", None, "Recently Added", "recently_added", SHORTLIST_MANAGE),
    ("movie.recentlyreleased", None, "Recently Released", "recently_released", SHORTLIST_MANAGE),
    ("movie.genre", None, "By Genre", "genre", SHORTLIST_MANAGE),
    ("movie.topunwatched", None, "Top Unwatched", "top_rated", SHORTLIST_MANAGE),
    ("recent.library.playlists", None, "Recent Playlists", "playlists", SHORTLIST_MANAGE),
    ("custom.collection.1.683081", None, "A Shortlist row", "collection", SHORTLIST_MANAGE),
    ("movie.curated", None, "Seasonal Movies", "recommended", AGREGARR),
    ("movie.by.actor.or.director", None, "Top Movies by (Actor or Director)", "recommended", AGREGARR),
    ("tv.recentlyadded", None, "Recently Added TV", "recently_added", AGREGARR),
    ("tv.recentlyaired", None, "Recently Released Episodes", "recently_released", AGREGARR),
    ("tv.startwatching", None, "Start Watching", "recommended", AGREGARR),
    ("tv.rediscover", None, "Rediscover", "recommended", AGREGARR),
    ("tv.toprated", None, "Top Rated TV", "top_rated", AGREGARR),
    ("tv.recentlyviewed", None, "Recently Watched Episodes", "recently_played", AGREGARR),
    ("tv.morefromnetwork", None, "More from (Network)", "recommended", AGREGARR),
    ("tv.moreingenre", None, "More in (Genre)", "genre", AGREGARR),

    # --- Plex section hub identifiers a Plex client handles (plex-for-kodi, by Plex Inc.) --------
    ("tv.ondeck", None, None, "on_deck", HUBMAP),
    ("tv.inprogress", None, None, "continue_watching", HUBMAP),
    ("movie.inprogress", None, None, "continue_watching", HUBMAP),
    ("movie.director", None, None, "recommended", HUBMAP),
    ("movie.actor", None, None, "recommended", HUBMAP),
    ("music.recent.played", None, None, "recently_played", HUBMAP),
    ("music.recent.added", None, None, "recently_added", HUBMAP),
    ("music.popular", None, None, "trending", HUBMAP),
    ("music.touring", None, None, "custom", HUBMAP),
    ("photo.recent", None, None, "recently_added", HUBMAP),
    ("photo.random.year", None, None, "custom", HUBMAP),
    ("photo.random.decade", None, None, "custom", HUBMAP),
    ("photo.random.dayormonth", None, None, "custom", HUBMAP),
    ("video.recent", None, None, "recently_added", HUBMAP),
    ("video.inprogress", None, None, "continue_watching", HUBMAP),
    ("video.random.year", None, None, "custom", HUBMAP),
    ("video.unwatched.random", None, None, "recommended", HUBMAP),
    ("video.recentlyviewed", None, None, "recently_played", HUBMAP),
    ("playlists.audio", None, "Audio Playlists", "playlists", PANNAL + " (PLAYLIST_HUB_TITLES)"),
    ("playlists.video", None, "Video Playlists", "playlists", PANNAL + " (PLAYLIST_HUB_TITLES)"),

    # --- Plex search hubs (/hubs/search): context is "" -----------------------------------------
    ("movie", "", "Movies", "custom", SPEC_SEARCH),
    ("actor", "", "Actors", "custom", SPEC_SEARCH),
    ("collection", "", "Collections", "collection", SPEC_SEARCH),
    ("playlist", "", "Playlists", "playlists", SPEC_SEARCH),
    ("genre", "", "Genres", "genre", SPEC_SEARCH),

    # --- Jellyfin (identifiers are this project's adapter's; context = jellyfin-web section name) -
    ("jellyfin.resume", "resume", "Continue Watching", "continue_watching", JF_WEB.format("Resume") + "; " + JF_ADAPTER),
    ("jellyfin.resumeaudio", "resumeaudio", "Continue Listening", "continue_watching", JF_WEB.format("ResumeAudio") + "; " + JF_ADAPTER),
    ("jellyfin.resumebook", "resumebook", "Continue Reading", "continue_watching", JF_WEB.format("ResumeBook") + "; " + JF_ADAPTER),
    ("jellyfin.nextup", "nextup", "Next Up", "next_up", JF_WEB.format("NextUp") + "; " + JF_ADAPTER),
    # View ids: Jellyfin's usual ids of a "Movies" / "Shows" / "Music" library (as in the project's tests).
    ("jellyfin.latest.f137a2dd21bbc1b99aa5c0f6bf02a805", "latestmedia", "Recently Added in Movies", "recently_added",
     JF_WEB.format("LatestMedia") + "; " + JF_ADAPTER),
    ("jellyfin.latest.a656b907eb3a73532e40e44b968d0225", "latestmedia", "Recently Added in Shows", "recently_added",
     JF_WEB.format("LatestMedia") + "; " + JF_ADAPTER),
    ("jellyfin.latest.7e64e319657a9516ec78490da03edccb", "latestmedia", "Recently Added in Music", "recently_added",
     JF_WEB.format("LatestMedia") + "; " + JF_ADAPTER),
]


def test_the_table_is_at_least_forty_real_identifiers_each_citing_its_source():
    assert len(HUB_IDENTIFIERS) >= 40
    assert len({(i, c) for i, c, *_ in HUB_IDENTIFIERS}) == len(HUB_IDENTIFIERS)
    for identifier, _, _, _, citation in HUB_IDENTIFIERS:
        assert "@" in citation or citation.startswith("project:"), identifier


@pytest.mark.parametrize(
    "identifier, context, expected",
    [pytest.param(i, c, SectionType(e), id=f"{i}|{c}") for i, c, _, e, _ in HUB_IDENTIFIERS],
)
def test_every_real_identifier_classifies_as_its_row_says(identifier, context, expected):
    assert SectionType.classify(identifier, context) is expected


# --- classification ----------------------------------------------------------


@pytest.mark.parametrize(
    "identifier, expected",
    [
        ("home.continue", SectionType.CONTINUE_WATCHING),
        ("continueWatching", SectionType.CONTINUE_WATCHING),
        ("home.ondeck", SectionType.ON_DECK),
        ("tv.ondeck.2", SectionType.ON_DECK),
        ("home.movies.recent.23", SectionType.RECENTLY_ADDED),
        ("movie.recentlyadded.6", SectionType.RECENTLY_ADDED),
        ("home.playlists", SectionType.PLAYLISTS),
        ("custom.collection.23.4317132.4317132", SectionType.COLLECTION),
        ("movie.genre.22.71", SectionType.GENRE),
        ("some.hub.nobody.knows", SectionType.CUSTOM),
        ("", SectionType.CUSTOM),
        ("42", SectionType.CUSTOM),
    ],
)
def test_classify_the_issues_examples(identifier, expected):
    assert SectionType.classify(identifier) is expected


@pytest.mark.parametrize(
    "identifier, expected",
    [
        # every example in the CLASSIFICATION_RULES table of classification.py
        ("home.continue", SectionType.CONTINUE_WATCHING),
        ("continueWatching", SectionType.CONTINUE_WATCHING),
        ("movie.inprogress.6", SectionType.CONTINUE_WATCHING),
        ("jellyfin.resume", SectionType.CONTINUE_WATCHING),
        ("home.ondeck", SectionType.ON_DECK),
        ("tv.ondeck.2", SectionType.ON_DECK),
        ("jellyfin.nextup", SectionType.NEXT_UP),
        ("home.playlists", SectionType.PLAYLISTS),
        ("recent.library.playlists", SectionType.PLAYLISTS),
        ("movie.recentlyreleased", SectionType.RECENTLY_RELEASED),
        ("music.recent.played", SectionType.RECENTLY_PLAYED),
        ("home.history", SectionType.RECENTLY_PLAYED),
        ("home.movies.recent.23", SectionType.RECENTLY_ADDED),
        ("movie.recentlyadded.6", SectionType.RECENTLY_ADDED),
        ("jellyfin.latest.x", SectionType.RECENTLY_ADDED),
        ("custom.collection.23.4317132.4317132", SectionType.COLLECTION),
        ("movie.genre.22.71", SectionType.GENRE),
        ("movie.topunwatched", SectionType.TOP_RATED),
        ("tv.trending", SectionType.TRENDING),
        ("movie.similar", SectionType.RECOMMENDED),
        ("home.recommended", SectionType.RECOMMENDED),
    ],
)
def test_classify_the_tables_examples(identifier, expected):
    assert SectionType.classify(identifier) is expected


def _documented_table() -> list[tuple[str, str, list[str]]]:
    """(pattern, section type, examples) for each row of the comment above CLASSIFICATION_RULES."""
    source = inspect.getsource(classification)
    lines = [line[3:] for line in source.splitlines() if line.startswith("#: ")]
    rules = [i for i, line in enumerate(lines) if line.startswith("=====")]
    rows: list[list[str]] = []
    for line in lines[rules[1] + 1 : rules[2]]:
        pattern, section_type, examples = line[:52].strip(), line[52:75].strip(), line[75:].strip()
        if section_type:
            rows.append([pattern, section_type, examples])
        else:  # a continuation line of the row above
            rows[-1][0] += pattern
            rows[-1][2] += " " + examples
    return [
        (pattern.strip("`"), section_type, [e.strip() for e in examples.split(",") if e.strip()])
        for pattern, section_type, examples in rows
    ]


def test_the_documented_table_is_the_rule_table():
    table = _documented_table()
    assert [(p, SectionType(t)) for p, t, _ in table] == [
        (re.fullmatch(r"\(\?:\^\|\\\.\)\(\?:(.*)\)\(\?:\\\.\|\$\)", rule.pattern).group(1), section_type)
        for rule, section_type in CLASSIFICATION_RULES
    ]


@pytest.mark.parametrize(
    "identifier, expected",
    [(example, t) for _, t, examples in _documented_table() for example in examples],
)
def test_every_documented_example_classifies_as_its_row_says(identifier, expected):
    assert SectionType.classify(identifier) is SectionType(expected)


def test_classify_ignores_case_and_trailing_numeric_parts():
    assert SectionType.classify("TV.OnDeck.2.17.300") is SectionType.ON_DECK
    assert SectionType.classify("movie.GENRE.1") is SectionType.GENRE


def test_classify_matches_whole_words_only():
    assert SectionType.classify("home.nondeck") is SectionType.CUSTOM
    assert SectionType.classify("home.ondecks") is SectionType.CUSTOM
    assert SectionType.classify("movie.generic") is SectionType.CUSTOM


def test_classify_treats_slashes_colons_and_tildes_as_separators():
    assert SectionType.classify("/hubs/home/onDeck") is SectionType.ON_DECK
    assert SectionType.classify("jellyfin:nextup:3") is SectionType.NEXT_UP
    assert SectionType.classify("home.4317132", "hub.custom.collection~68") is SectionType.COLLECTION


def test_classify_falls_back_to_the_context_when_the_identifier_says_nothing():
    assert SectionType.classify("home.4317132", "hub.custom.collection") is SectionType.COLLECTION
    assert SectionType.classify("", "hub.movie.genre") is SectionType.GENRE
    assert SectionType.classify("unknown", None) is SectionType.CUSTOM
    assert SectionType.classify("unknown", "") is SectionType.CUSTOM


def test_classify_prefers_the_identifier_over_the_context():
    assert SectionType.classify("tv.ondeck.2", "hub.custom.collection") is SectionType.ON_DECK


text_identifiers = st.text() | st.from_regex(r"[a-zA-Z]{1,12}(\.[a-zA-Z0-9]{1,12}){0,5}", fullmatch=True)


@given(identifier=text_identifiers, context=st.none() | text_identifiers)
def test_classify_never_raises_and_always_gives_a_section_type(identifier, context):
    assert isinstance(SectionType.classify(identifier, context), SectionType)


@given(
    identifier=text_identifiers,
    context=st.none() | text_identifiers,
    numbers=st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=4),
)
def test_classify_is_unchanged_by_trailing_numeric_parts(identifier, context, numbers):
    suffixed = identifier + "".join(f".{n}" for n in numbers)
    assert SectionType.classify(suffixed, context) is SectionType.classify(identifier, context)
