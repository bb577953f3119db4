"""HttpBackend, the HTTP layer every live backend shares: against real servers on 127.0.0.1."""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any, Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request as WsgiRequest
from werkzeug import Response

import homesections
from homesections import AuthError, ConfigurationError, FetchError, HomePage, PayloadError
from homesections.http import MAX_RETRY_AFTER, HttpBackend, Reply, Request, redact

TOKEN = "tok-3f9a77c1e2"


class Probe(HttpBackend):
    """The smallest live backend: sends the token in a header, as every real one must."""

    name = "probe"

    def headers(self) -> dict[str, str]:
        return {**super().headers(), "X-Token": self._token or ""}

    def parse(self, payload: Any) -> HomePage:
        return HomePage()


@pytest.fixture
def server(http_server: HTTPServer) -> HTTPServer:
    return http_server


class Sleeps(list):
    """A fake sleep that records how long each backoff asked for."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def probe(server: HTTPServer, sleeps: Sleeps | None = None, **settings: Any) -> Probe:
    return Probe(base_url=server.url_for("/"), token=TOKEN, sleep=sleeps, **settings)


def answers(*responses: Response):
    """A handler answering with ``responses`` in turn, then the last one again."""
    queue = list(responses)

    def handler(request: WsgiRequest) -> Response:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


def requests_to(server: HTTPServer, path: str) -> int:
    return sum(1 for request, _ in server.log if request.path == path)


# --- settings ------------------------------------------------------------------


@pytest.mark.parametrize("setting, value, message", [
    ("timeout", "10", "timeout must be an integer or a number or None, not str"),
    ("retries", 2.5, "retries must be an integer or None, not float"),
    ("retries", True, "retries must be an integer or None, not bool"),
    ("max_bytes", "big", "max_bytes must be an integer or None, not str"),
    ("verify", 1, "verify must be a boolean or a string or None, not int"),
    ("count", "12", "count must be an integer or None, not str"),
    ("transport", object(), "transport must be a BaseTransport or None, not object"),
    ("timeout", 0, "timeout must be more than 0"),
    ("max_bytes", -1, "max_bytes must be more than 0"),
    ("count", 0, "count must be more than 0"),
    ("retries", -1, "retries must be 0 or more"),
])
def test_a_setting_of_the_wrong_type_or_range_is_refused_by_name(setting, value, message):
    with pytest.raises(ConfigurationError, match=message):
        Probe(**{setting: value})


@pytest.mark.parametrize("base_url", [
    "plex.local:32400", "ftp://plex.local", "http://", "http://plex.local/?X-Plex-Token=" + TOKEN,
])
def test_a_base_url_that_is_not_a_plain_http_address_is_refused_without_echoing_a_token(base_url):
    with pytest.raises(ConfigurationError, match="base_url") as caught:
        Probe(base_url=base_url)
    assert TOKEN not in str(caught.value)


def test_a_ca_bundle_that_cannot_be_read_is_refused_at_construction(tmp_path):
    with pytest.raises(ConfigurationError, match="not a readable CA bundle"):
        Probe(base_url="https://plex.local:32400", verify=str(tmp_path / "missing.pem"))


def test_a_parse_only_backend_has_no_client_to_open():
    with pytest.raises(ConfigurationError, match="no base_url"):
        Probe().get("/hubs")


# --- requests ------------------------------------------------------------------


def test_a_path_prefix_in_base_url_is_kept_and_the_token_travels_in_a_header(server):
    server.expect_request("/jellyfin/Users/Me").respond_with_data('{"Id": "u1"}', content_type="application/json")
    backend = Probe(base_url=server.url_for("/jellyfin"), token=TOKEN)

    reply = backend.get("/Users/Me", {"fields": "a,b"})

    assert isinstance(reply, Reply)
    assert (reply.status, reply.content) == (200, b'{"Id": "u1"}')
    (request, _), = server.log
    assert request.path == "/jellyfin/Users/Me"
    assert request.args["fields"] == "a,b"
    assert request.headers["X-Token"] == TOKEN
    assert request.headers["Accept"] == "application/json"
    assert TOKEN not in request.url


def test_requests_that_do_not_depend_on_each_other_run_at_once_in_order(server):
    def slow(request: WsgiRequest) -> Response:
        time.sleep(0.3)
        return Response(request.path, content_type="application/json")

    for n in range(6):
        server.expect_request(f"/slow/{n}").respond_with_handler(slow)
    server.expect_request("/missing").respond_with_data("gone", status=404)
    backend = probe(server)

    started = time.monotonic()
    results = backend.get_many([Request(f"/slow/{n}") for n in range(6)] + [Request("/missing")])
    elapsed = time.monotonic() - started

    assert [r.content for r in results[:6]] == [f"/slow/{n}".encode() for n in range(6)]
    assert isinstance(results[6], FetchError) and results[6].status == 404
    assert elapsed < 6 * 0.3 / 2, "the six requests ran one after the other"


# --- retries -----------------------------------------------------------------------


def test_a_server_error_then_an_answer_is_one_retry_after_a_jittered_backoff(server, sleeps):
    server.expect_request("/hubs").respond_with_handler(answers(
        Response("busy", status=500), Response("{}", content_type="application/json")))

    reply = probe(server, sleeps).get("/hubs")

    assert reply.content == b"{}"
    assert requests_to(server, "/hubs") == 2
    (wait,) = sleeps
    assert 0.25 <= wait <= 0.5


def test_a_server_that_keeps_failing_gives_a_fetch_error_after_the_retries(server, sleeps):
    server.expect_request("/hubs/promoted").respond_with_data("broken", status=503)

    with pytest.raises(FetchError) as caught:
        probe(server, sleeps, retries=3).get("/hubs/promoted", {"contentDirectoryID": 6})

    error = caught.value
    assert requests_to(server, "/hubs/promoted") == 4
    assert len(sleeps) == 3 and sleeps == sorted(sleeps), "the backoff grows"
    assert (error.host, error.path, error.status) == (f"localhost:{server.port}", "/hubs/promoted", 503)
    assert "HTTP 503" in str(error) and "after 4 attempts" in str(error)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_is_an_auth_error_and_never_retried(server, sleeps, status):
    server.expect_request("/hubs").respond_with_data("no", status=status)

    with pytest.raises(AuthError, match=f"HTTP {status}") as caught:
        probe(server, sleeps).get("/hubs")

    assert caught.value.status == status
    assert requests_to(server, "/hubs") == 1 and sleeps == []
    assert TOKEN not in str(caught.value)


def test_a_missing_endpoint_is_not_retried(server, sleeps):
    server.expect_request("/UserViews").respond_with_data("", status=404)

    with pytest.raises(FetchError, match="HTTP 404") as caught:
        probe(server, sleeps).get("/UserViews")

    assert caught.value.status == 404 and not isinstance(caught.value, AuthError)
    assert requests_to(server, "/UserViews") == 1


@pytest.mark.parametrize("retry_after, wait", [("2", 2.0), ("3600", MAX_RETRY_AFTER)])
def test_too_many_requests_waits_as_long_as_retry_after_says_up_to_the_cap(server, sleeps, retry_after, wait):
    server.expect_request("/hubs").respond_with_handler(answers(
        Response("slow down", status=429, headers={"Retry-After": retry_after}),
        Response("{}", content_type="application/json")))

    assert probe(server, sleeps).get("/hubs").status == 200
    assert sleeps == [wait]


def test_a_retry_after_date_is_read_as_a_wait_and_capped(server, sleeps):
    server.expect_request("/hubs").respond_with_handler(answers(
        Response("", status=503, headers={"Retry-After": "Fri, 31 Dec 2100 23:59:59 GMT"}),
        Response("{}", content_type="application/json")))

    probe(server, sleeps).get("/hubs")

    assert sleeps == [MAX_RETRY_AFTER]


def test_a_server_that_hangs_times_out_with_a_fetch_error(server, sleeps):
    release = threading.Event()

    def hang(request: WsgiRequest) -> Response:
        release.wait(5)
        return Response("{}")

    server.expect_request("/hubs").respond_with_handler(hang)
    try:
        with pytest.raises(FetchError, match="timed out after 0.05 s") as caught:
            probe(server, sleeps, timeout=0.05, retries=1).get("/hubs")
    finally:
        release.set()
    assert caught.value.status is None and len(sleeps) == 1


@pytest.fixture
def closing_server() -> Iterator[str]:
    """A server that accepts each connection and closes it without an answer."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            conn.recv(65536)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    listener.close()


def test_a_closed_connection_is_retried_then_reported(closing_server, sleeps):
    backend = Probe(base_url=closing_server, token=TOKEN, sleep=sleeps, retries=2)

    with pytest.raises(FetchError, match="the connection failed") as caught:
        backend.get("/hubs")

    assert len(sleeps) == 2 and caught.value.status is None


def test_nothing_listening_is_a_fetch_error_saying_so(sleeps):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    backend = Probe(base_url=f"http://127.0.0.1:{port}", sleep=sleeps, retries=1)

    with pytest.raises(FetchError, match="could not connect") as caught:
        backend.get("/hubs")

    assert isinstance(caught.value.__cause__, Exception)  # httpx's error, kept as the cause


# --- what comes back ---------------------------------------------------------------


def test_an_html_page_where_data_was_expected_is_a_payload_error(server):
    server.expect_request("/hubs").respond_with_data("<html>Sign in</html>", content_type="text/html")

    with pytest.raises(PayloadError, match="HTML page"):
        probe(server).get("/hubs")


def test_a_body_declared_larger_than_max_bytes_is_refused_before_it_is_read(server, sleeps):
    server.expect_request("/hubs").respond_with_data(b"x" * 5000)

    with pytest.raises(FetchError, match="5000 bytes, more than max_bytes=1000") as caught:
        probe(server, sleeps, max_bytes=1000).get("/hubs")

    assert requests_to(server, "/hubs") == 1 and sleeps == [], "a refusal is not retried"
    assert caught.value.status == 200


def test_a_chunked_body_past_max_bytes_is_refused_while_it_streams(server):
    chunk, total = b"y" * 65536, 1024  # 64 MiB if it were all sent
    sent = []

    def stream(request: WsgiRequest) -> Response:
        def chunks():
            for _ in range(total):
                sent.append(1)
                yield chunk
        return Response(chunks(), content_type="application/json")  # no Content-Length: chunked

    server.expect_request("/hubs").respond_with_handler(stream)

    with pytest.raises(FetchError, match="more than max_bytes=1048576"):
        probe(server, max_bytes=1024 * 1024).get("/hubs")

    time.sleep(0.2)  # let the server notice the closed connection
    assert len(sent) < total / 2, f"the client read {len(sent)} of {total} chunks"


# --- the log and secrets -----------------------------------------------------------


def test_each_request_logs_one_debug_record_with_fields_and_no_token(server, sleeps, caplog):
    server.expect_request("/hubs").respond_with_handler(answers(
        Response("busy", status=500), Response('{"a": 1}', content_type="application/json")))
    caplog.set_level(logging.DEBUG, logger="homesections")

    probe(server, sleeps).get("/hubs", {"X-Plex-Token": TOKEN, "count": 12}, what="legacy home")

    records = [r for r in caplog.records if r.name == "homesections.http"]
    assert [(r.http_status, r.http_attempt) for r in records] == [(500, 1), (200, 2)]
    last = records[-1]
    assert (last.http_method, last.http_bytes, last.http_what) == ("GET", 8, "legacy home")
    assert last.http_ms >= 0 and "count=12" in last.http_url
    assert "X-Plex-Token=REDACTED" in last.http_url
    ours = [r for r in caplog.records if r.name.startswith(("homesections", "httpx", "httpcore"))]
    assert ours and all(TOKEN not in r.getMessage() and TOKEN not in str(vars(r)) for r in ours)


def test_the_repr_and_every_error_leave_the_token_out(server, sleeps):
    server.expect_request("/hubs").respond_with_data("no", status=500)
    backend = probe(server, sleeps, retries=0)

    with pytest.raises(FetchError) as caught:
        backend.get("/hubs", {"api_key": TOKEN})

    assert TOKEN not in repr(backend) and TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value)


@pytest.mark.parametrize("url, expected", [
    ("http://h:32400/photo?X-Plex-Token=abc&width=10", "http://h:32400/photo?X-Plex-Token=REDACTED&width=10"),
    ("http://h/a?x-plex-token=abc", "http://h/a?x-plex-token=REDACTED"),
    ("http://h/a?api_key=abc&ApiKey=d&access_token=e", "http://h/a?api_key=REDACTED&ApiKey=REDACTED&access_token=REDACTED"),
    ("https://user:secret@h/a", "https://REDACTED@h/a"),
    ("http://h/Items/1/Images/Primary?tag=ab12", "http://h/Items/1/Images/Primary?tag=ab12"),
])
def test_redact_removes_every_credential_a_url_can_carry(url, expected):
    assert redact(url) == expected


# --- closing -------------------------------------------------------------------------


def test_close_from_another_thread_ends_a_request_in_flight_at_once(server):
    arrived, release = threading.Event(), threading.Event()

    def hang(request: WsgiRequest) -> Response:
        arrived.set()
        release.wait(10)
        return Response("{}")

    server.expect_request("/hubs").respond_with_handler(hang)
    backend = probe(server, timeout=30)
    outcome: dict[str, Any] = {}

    def fetch() -> None:
        try:
            backend.get("/hubs")
        except FetchError as exc:
            outcome["error"] = exc
        outcome["ended"] = time.monotonic()

    thread = threading.Thread(target=fetch)
    thread.start()
    try:
        assert arrived.wait(5)
        closed = time.monotonic()
        backend.close()
        thread.join(5)
    finally:
        release.set()
    assert "closed while the request was in flight" in str(outcome["error"])
    assert outcome["ended"] - closed < 1.0


def test_a_closed_backend_opens_a_new_client_for_its_next_request(server):
    server.expect_request("/hubs").respond_with_json({})
    with probe(server) as backend:
        backend.get("/hubs")
        first = backend.client
    assert first.is_closed
    assert backend.get("/hubs").status == 200
    assert backend.client is not first


def test_live_backends_share_the_interface_of_every_backend():
    backend = Probe()
    assert isinstance(backend, homesections.Backend)
    with pytest.raises(NotImplementedError, match="cannot fetch home"):
        backend.fetch_home()
    backend.close()  # nothing opened: nothing to close, and no error
