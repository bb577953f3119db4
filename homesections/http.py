"""What every live backend shares: one HTTP client, retries, a size limit, typed errors, redaction.

:class:`HttpBackend` is the base of the Plex and Jellyfin adapters, and of any
third party's that talks HTTP. It holds one lazily created :class:`httpx.Client`
and sends every request through the same policy:

- retries, with exponential backoff and jitter, on connection errors,
  timeouts, 429 and 5xx, at most ``retries`` times; ``Retry-After`` is
  honoured, capped at :data:`MAX_RETRY_AFTER` seconds; 401 and 403 are never
  retried (:class:`~homesections.AuthError`);
- a response body is read while it streams and refused past ``max_bytes``,
  whether or not the server sent ``Content-Length``;
- any other failure is a :class:`~homesections.FetchError` naming host, path
  and status, and an HTML page where data was expected is a
  :class:`~homesections.PayloadError`;
- one DEBUG record per request on the ``homesections.http`` logger, with the
  URL redacted and structured fields (``record.http_method``, ``http_url``,
  ``http_status``, ``http_bytes``, ``http_ms``, ``http_attempt``,
  ``http_what``, ``http_error``) a progress display can read.

Requests that do not depend on each other go out together with
:meth:`HttpBackend.get_many`, on the one client. :meth:`HttpBackend.close`
ends the backend's requests at once, from any thread: whoever waits on a
request in flight gets a :class:`~homesections.FetchError` straight away (the
background refresher's ``stop()`` relies on it).

Tokens travel in headers only. :func:`redact` removes the ones a URL may carry
(``X-Plex-Token=``, ``api_key=``, ...) from anything that is logged or raised.
"""

from __future__ import annotations

import email.utils
import logging
import queue
import random
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence, Union
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from .backend import Backend
from .build import PageLimits
from .errors import AuthError, ConfigurationError, FetchError, HomeSectionsError, PayloadError

__all__ = [
    "HttpBackend",
    "Request",
    "Reply",
    "redact",
    "DEFAULT_TIMEOUT",
    "DEFAULT_RETRIES",
    "DEFAULT_MAX_BYTES",
    "MAX_RETRY_AFTER",
    "MAX_CONNECTIONS",
]

logger = logging.getLogger("homesections.http")

#: Seconds a request may take to connect, or wait for the next bytes.
DEFAULT_TIMEOUT = 10.0
#: Retries after the first attempt, for failures that may pass.
DEFAULT_RETRIES = 3
#: The largest response body read, in bytes (32 MiB).
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
#: The longest wait a ``Retry-After`` header (or the backoff) can ask for, in seconds.
MAX_RETRY_AFTER = 30.0
#: Concurrent requests (and pooled connections) per backend.
MAX_CONNECTIONS = 8
#: The first backoff delay, in seconds; it doubles with each retry.
BACKOFF = 0.5

# Query parameters that carry a credential, lower-cased.
_SECRET_PARAMS = frozenset({"x-plex-token", "api_key", "apikey", "token", "access_token", "x-emby-token"})
_REDACTED = "REDACTED"
# Statuses that may pass: throttling and the server's own failures.
_RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))

Verify = Union[bool, str]


def redact(url: Union[str, httpx.URL]) -> str:
    """``url`` with the value of every credential parameter replaced by ``REDACTED``.

    Also drops a password in the authority (``user:secret@host``). Safe on any
    string: what does not parse as a URL comes back with no query at all.
    """
    text = str(url)
    try:
        parts = urlsplit(text)
    except ValueError:
        return text.split("?", 1)[0]
    netloc = parts.netloc
    if "@" in netloc:
        netloc = _REDACTED + "@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, _REDACTED if k.lower() in _SECRET_PARAMS else v) for k, v in pairs], safe="/,:"
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


@dataclass(frozen=True)
class Request:
    """One GET a backend makes: a path under ``base_url``, its parameters and extra headers.

    ``what`` names the request for people (progress lines, errors): ``"library 6"``.
    """

    path: str
    params: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    what: str = ""


@dataclass(frozen=True)
class Reply:
    """A server's answer, read whole within ``max_bytes``.

    ``url`` is redacted; ``headers`` are the response headers; ``content`` the
    decoded body (``Content-Encoding`` already undone).
    """

    url: str
    status: int
    headers: httpx.Headers
    content: bytes


class HttpBackend(Backend):
    """A backend that fetches from a live server over HTTP.

    Settings, all keywords: ``base_url`` (the server's address; a path prefix
    such as a reverse proxy's ``/jellyfin`` is kept), ``token``, ``timeout``
    (seconds, default 10), ``retries`` (default 3), ``max_bytes`` (default
    32 MiB), ``verify`` (TLS: ``True``, ``False`` for a self-signed server, or
    the path of a CA bundle), ``count`` (items per hub asked of the server;
    ``None`` leaves it to the server) and ``transport`` (an
    :class:`httpx.BaseTransport`, for hosts and tests); ``limits`` bounds what
    one payload may hold (:class:`~homesections.build.PageLimits`). ``sleep`` and
    ``clock`` replace :func:`time.sleep`-like waiting and
    :func:`time.monotonic` (tests of backoff pass fakes).

    Subclasses implement :meth:`headers` (the token goes there, never into a
    URL), ``parse`` and ``fetch_home``; they send requests with :meth:`get`
    and :meth:`get_many`. The backend is a context manager: ``with`` closes
    its client.
    """

    #: The product name servers see (``X-Plex-Product``, Jellyfin's ``Client``).
    product = "homesections"

    def __init__(
        self,
        *,
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        verify: Verify = True,
        count: Optional[int] = None,
        transport: Optional[httpx.BaseTransport] = None,
        limits: Optional[PageLimits] = None,
        sleep: Optional[Callable[[float], Any]] = None,
        clock: Optional[Callable[[], float]] = None,
    ) -> None:
        self.check_settings(
            {"timeout": (int, float), "retries": int, "max_bytes": int, "verify": (bool, str),
             "count": int, "transport": httpx.BaseTransport, "limits": PageLimits},
            base_url=base_url, token=token, timeout=timeout, retries=retries,
            max_bytes=max_bytes, verify=verify, count=count, transport=transport, limits=limits,
        )
        if limits is not None:
            self.limits = limits
        for name, value, low in (("timeout", timeout, 0), ("max_bytes", max_bytes, 0),
                                 ("count", count, 0)):
            if value is not None and not value > low:
                raise ConfigurationError(f"{type(self).__name__}: {name} must be more than {low}")
        if retries is not None and retries < 0:
            raise ConfigurationError(f"{type(self).__name__}: retries must be 0 or more")
        self.base_url = _check_base_url(type(self).__name__, base_url)
        self._token = token
        self.timeout = float(timeout) if timeout is not None else DEFAULT_TIMEOUT
        self.retries = DEFAULT_RETRIES if retries is None else retries
        self.max_bytes = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
        self.verify: Verify = True if verify is None else verify
        self._ssl = _ssl_context(self.verify)
        self.count = count
        self._transport = transport
        self._sleep = sleep
        self._clock = clock or time.monotonic
        self._random = random.Random()
        self._lock = threading.Lock()
        self._client: Optional[httpx.Client] = None
        # Each call waiting on requests registers a queue; close() wakes them all.
        self._waiters: set["queue.SimpleQueue[object]"] = set()
        self._closing = threading.Event()

    # -- what subclasses provide -------------------------------------------

    def headers(self) -> dict[str, str]:
        """The headers every request carries, the credentials included. Override to add them."""
        return {"Accept": "application/json", "User-Agent": f"{self.product}"}

    # -- the client ----------------------------------------------------------

    @property
    def client(self) -> httpx.Client:
        """The backend's one :class:`httpx.Client`, created on first use."""
        with self._lock:
            return self._open_client()

    def _open_client(self) -> httpx.Client:
        # Called with self._lock held.
        if self._client is None:
            if not self.base_url:
                raise ConfigurationError(
                    f"{type(self).__name__} has no base_url: pass the server's address "
                    "(base_url='http://host:port') to fetch from it"
                )
            self._closing.clear()
            self._client = httpx.Client(
                base_url=self.base_url,
                transport=self._transport or httpx.HTTPTransport(
                    verify=self._ssl,
                    limits=httpx.Limits(max_connections=MAX_CONNECTIONS,
                                        max_keepalive_connections=MAX_CONNECTIONS),
                ),
                timeout=httpx.Timeout(self.timeout),
                follow_redirects=False,
            )
        return self._client

    def close(self) -> None:
        """Close the HTTP client; whoever waits on a request of this backend gets a FetchError at once.

        Safe from any thread and more than once. A later request opens a new client.
        """
        with self._lock:
            client, self._client = self._client, None
            self._closing.set()
            waiters = list(self._waiters)
        for waiter in waiters:
            waiter.put(_CLOSED)
        if client is not None:
            client.close()

    def __enter__(self) -> "HttpBackend":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = redact(self.base_url) if self.base_url else "no server"
        return f"<{type(self).__name__} name={self.name!r} {where}>"

    # -- requests ------------------------------------------------------------

    def url(self, path: str, params: Optional[Mapping[str, Any]] = None) -> str:
        """The absolute URL of ``path`` (with ``params``) on this server."""
        if not self.base_url:
            raise ConfigurationError(f"{type(self).__name__} has no base_url to build a URL on")
        url = httpx.URL(self.base_url.rstrip("/") + "/" + path.lstrip("/"))
        return str(url.copy_merge_params(dict(params or {})))

    def get(self, path: str, params: Optional[Mapping[str, Any]] = None, *,
            headers: Optional[Mapping[str, str]] = None, what: str = "") -> Reply:
        """GET ``path`` under ``base_url`` with the retry policy; the answer, or a typed error."""
        (reply,) = self.get_many([Request(path, params or {}, headers or {}, what)])
        if isinstance(reply, Exception):
            raise reply
        return reply

    def get_many(self, requests: Sequence[Request]) -> list[Union[Reply, HomeSectionsError]]:
        """Send ``requests`` at once (at most :data:`MAX_CONNECTIONS` in flight); one result each, in order.

        A result is the :class:`Reply` or the error that request raised, so
        the caller decides what one failure means for the rest. Returns when
        all are done, or raises :class:`~homesections.FetchError` as soon as
        the backend is closed.
        """
        if not requests:
            return []
        results: list[Any] = [None] * len(requests)
        done: "queue.SimpleQueue[object]" = queue.SimpleQueue()
        slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        with self._lock:
            # Opened and registered together: a close() after this wakes us.
            client = self._open_client()
            self._waiters.add(done)

        def run(n: int, request: Request) -> None:
            with slots:
                try:
                    results[n] = self._send(client, request)
                except HomeSectionsError as exc:
                    results[n] = exc
                except BaseException as exc:  # a bug: re-raised in the caller's thread
                    results[n] = _Crash(exc)
            done.put(n)

        try:
            for n, request in enumerate(requests):
                # Daemon threads: a request abandoned by close() never holds up the process's exit.
                threading.Thread(target=run, args=(n, request), daemon=True,
                                 name=f"homesections-http-{n}").start()
            for _ in requests:
                if done.get() is _CLOSED:
                    raise self._closed_error(requests[0])
        finally:
            with self._lock:
                self._waiters.discard(done)
        for result in results:
            if isinstance(result, _Crash):
                raise result.exc
        return results

    # -- one request, with the retry policy ---------------------------------------

    def _send(self, client: httpx.Client, request: Request) -> Reply:
        headers = {**self.headers(), **request.headers}
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            started = self._clock()
            try:
                reply = self._send_once(client, request, headers)
            except httpx.TransportError as exc:
                failure: FetchError = self._transport_error(request, exc, attempt)
                self._log(request, attempt, started, None, 0, failure)
                retry_after = None
            except _Refused as refused:
                self._log(request, attempt, started, refused.status, refused.size, refused.error)
                raise refused.error from None
            else:
                self._log(request, attempt, started, reply.status, len(reply.content), None)
                if 200 <= reply.status < 300:
                    return self._checked(request, reply)
                failure = self._status_error(request, reply, attempt)
                if reply.status not in _RETRY_STATUSES:
                    raise failure
                retry_after = _retry_after(reply.headers.get("Retry-After"))
            if attempt == attempts or self._closing.is_set():
                raise failure
            self._wait(retry_after if retry_after is not None else self._backoff(attempt))
            if self._closing.is_set():
                raise failure
        raise AssertionError("unreachable")  # the loop returns or raises

    def _send_once(self, client: httpx.Client, request: Request, headers: Mapping[str, str]) -> Reply:
        # Merged into the path's own query: httpx's params= would replace it, and a
        # hub key such as "/hubs/home/recentlyAdded?type=2" carries one.
        url = httpx.URL(request.path).copy_merge_params(dict(request.params))
        try:
            with client.stream("GET", url, headers=headers) as response:
                # An error page is read too (within the limit): its size goes in the log.
                body = self._read(request, response)
                return Reply(redact(response.request.url), response.status_code, response.headers, body)
        except RuntimeError:
            if client.is_closed:  # close() came first: the request never went out
                raise _Refused(self._closed_error(request), None, 0) from None
            raise

    def _read(self, request: Request, response: httpx.Response) -> bytes:
        """The body, refused as soon as it passes ``max_bytes`` (never buffered beyond)."""
        declared = response.headers.get("Content-Length")
        if (declared and declared.isdigit() and int(declared) > self.max_bytes
                and "content-encoding" not in response.headers):
            raise _Refused(self._too_large(request, response, int(declared)), response.status_code, 0)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise _Refused(self._too_large(request, response, None), response.status_code, size)
            chunks.append(chunk)
        return b"".join(chunks)

    def _checked(self, request: Request, reply: Reply) -> Reply:
        content_type = reply.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type in ("text/html", "application/xhtml+xml"):
            raise PayloadError(
                "the server answered with an HTML page, not data "
                "(is base_url the media server's own address, not a login page or a proxy's?)",
                where=self._place(request), expected="JSON or XML",
            )
        return reply

    def _backoff(self, attempt: int) -> float:
        # Exponential, with "equal jitter": half fixed, half random, so retries
        # of many clients spread out but never come back at once.
        delay = min(MAX_RETRY_AFTER, BACKOFF * 2 ** (attempt - 1))
        return delay / 2 + self._random.uniform(0, delay / 2)

    def _wait(self, seconds: float) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            self._closing.wait(seconds)  # close() cuts a backoff short

    # -- errors and the log -----------------------------------------------------

    def _place(self, request: Request) -> str:
        return f"{self._host()}{self._path(request)}"

    def _host(self) -> str:
        return urlsplit(self.base_url or "").netloc.rsplit("@", 1)[-1]

    def _path(self, request: Request) -> str:
        prefix = urlsplit(self.base_url or "").path.rstrip("/")
        return prefix + "/" + request.path.split("?", 1)[0].lstrip("/")

    def _named(self, request: Request) -> str:
        return f"GET {self._place(request)}" + (f" ({request.what})" if request.what else "")

    def _transport_error(self, request: Request, exc: httpx.TransportError, attempt: int) -> FetchError:
        if isinstance(exc, httpx.TimeoutException):
            reason = f"timed out after {self.timeout:g} s"
        elif isinstance(exc, httpx.ConnectError):
            reason = f"could not connect ({_reason(exc)})"
        else:
            reason = f"the connection failed ({type(exc).__name__}: {_reason(exc)})"
        error = FetchError(
            f"{self._named(request)}: {reason}{_after(attempt)}; check that the server is running "
            "and base_url is right",
            host=self._host(), path=self._path(request),
        )
        error.__cause__ = exc
        return error

    def _status_error(self, request: Request, reply: Reply, attempt: int) -> FetchError:
        status = reply.status
        phrase = _phrase(status)
        if status in (401, 403):
            return AuthError(
                f"{self._named(request)}: HTTP {status} {phrase}: the server refused the token; "
                "check it, or sign in again for a new one",
                host=self._host(), path=self._path(request), status=status,
            )
        if status in _RETRY_STATUSES:
            advice = "the server is busy or failing; try again later"
        elif status == 404:
            advice = "the server does not have this endpoint (is base_url right, and the server recent enough?)"
        else:
            advice = "the server did not answer with data"
        return FetchError(
            f"{self._named(request)}: HTTP {status} {phrase}{_after(attempt)}; {advice}",
            host=self._host(), path=self._path(request), status=status,
        )

    def _too_large(self, request: Request, response: httpx.Response, declared: Optional[int]) -> FetchError:
        size = f"{declared} bytes, more" if declared is not None else "more"
        return FetchError(
            f"{self._named(request)}: the answer is {size} than max_bytes={self.max_bytes} allows; "
            "refused before reading it all (raise max_bytes if this server's answers are that large)",
            host=self._host(), path=self._path(request), status=response.status_code,
        )

    def _closed_error(self, request: Request) -> FetchError:
        return FetchError(
            f"{self._named(request)}: the backend was closed while the request was in flight",
            host=self._host(), path=self._path(request),
        )

    def _log(self, request: Request, attempt: int, started: float, status: Optional[int],
             size: int, error: Optional[HomeSectionsError]) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        ms = (self._clock() - started) * 1000
        url = redact(self.url(request.path, request.params))
        logger.debug(
            "GET %s -> %s (%d bytes, %.0f ms%s)", url, status if status is not None else "no answer",
            size, ms, f", attempt {attempt}" if attempt > 1 else "",
            extra={"http_method": "GET", "http_url": url, "http_status": status, "http_bytes": size,
                   "http_ms": ms, "http_attempt": attempt, "http_what": request.what,
                   "http_error": str(error) if error else None},
        )


class _Refused(Exception):
    """A request that must not be retried: its reply was too large, or the client closed."""

    def __init__(self, error: FetchError, status: Optional[int], size: int) -> None:
        self.error, self.status, self.size = error, status, size


@dataclass(frozen=True)
class _Crash:
    exc: BaseException


_CLOSED = object()


def _check_base_url(owner: str, base_url: Optional[str]) -> Optional[str]:
    if base_url is None:
        return None
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"{owner}: base_url must be an http:// or https:// address with a host "
            f"(such as http://192.168.1.20:32400), got {redact(base_url)!r}"
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"{owner}: base_url must not carry a query or fragment (pass the token as token=); "
            f"got {redact(base_url)!r}"
        )
    return base_url


def _ssl_context(verify: Verify) -> Union[bool, ssl.SSLContext]:
    if isinstance(verify, str):
        try:
            return ssl.create_default_context(cafile=verify)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigurationError(f"verify={verify!r} is not a readable CA bundle: {exc}") from exc
    return verify


def _retry_after(value: Optional[str]) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return min(max(0.0, when.timestamp() - time.time()), MAX_RETRY_AFTER)


def _after(attempt: int) -> str:
    return f" after {attempt} attempts" if attempt > 1 else ""


def _phrase(status: int) -> str:
    try:
        return httpx.codes.get_reason_phrase(status)
    except ValueError:
        return ""


def _reason(exc: Exception) -> str:
    # httpx's messages hold no URL; cut them short for one line all the same.
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."
