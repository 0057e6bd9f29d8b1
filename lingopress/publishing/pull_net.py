"""Where bundles come from: a directory or an HTTP(S) server, read under an overall deadline
and a budget of bytes.

A socket timeout bounds one read, not a download: a server that sends a byte just before
each timeout holds a client for ever, and neither urllib nor urllib3, requests or httpx
offers a limit on a whole transfer. So `Deadline` keeps every socket pull opens and shuts
them down when the time is up, which ends any read blocked on them, headers included.
"""

from __future__ import annotations

import functools
import hashlib
import http.client
import io
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import BinaryIO

from pydantic import ByteSize

from .bundle_format import INDEX_NAME, MAX_DOCUMENT_BYTES, read_index
from ..errors import BundleError, PullError

_CHUNK = 1 << 16


def human(size: int) -> str:
    return ByteSize(size).human_readable()


class Deadline:
    """The time a whole pull may take; shuts down its sockets when it passes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._guard = threading.Lock()
        self._fired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        return max(self._end - time.monotonic(), 0.001)

    def check(self, where: str) -> None:
        if self._fired or time.monotonic() >= self._end:
            raise PullError(f"gave up after the --deadline of {self.seconds:g} s", path=where,
                            hint="the server is too slow or stalled; pull again later, or allow more "
                                 "time with --deadline SECONDS")

    def watch(self, sock: socket.socket) -> None:
        with self._guard:
            self._sockets.append(sock)
            if self._fired:
                _shut(sock)

    def _expire(self) -> None:
        with self._guard:
            self._fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:  # the plain socket's shutdown: it wakes a blocked read, TLS or not
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


class _Watched:
    """A connection that hands its socket to the deadline as soon as it is connected."""

    def __init__(self, *args, deadline: Deadline, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def connect(self) -> None:
        super().connect()
        self._deadline.watch(self.sock)


class _WatchedHTTP(_Watched, http.client.HTTPConnection):
    pass


class _WatchedHTTPS(_Watched, http.client.HTTPSConnection):
    pass


class _WatchedOpening:
    """A urllib handler that opens watched connections instead of plain ones."""

    connection: type

    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def do_open(self, http_class, req, **kwargs):
        return super().do_open(functools.partial(self.connection, deadline=self._deadline), req, **kwargs)


class _WatchedHTTPHandler(_WatchedOpening, urllib.request.HTTPHandler):
    connection = _WatchedHTTP


class _WatchedHTTPSHandler(_WatchedOpening, urllib.request.HTTPSHandler):
    connection = _WatchedHTTPS


class Origin:
    """A bundles directory, local or served over HTTP(S); paths below it are ours, not the index's."""

    def __init__(self, base: str, timeout: float, deadline: Deadline, budget: int) -> None:
        self.base, self.timeout, self.deadline, self.budget = base, timeout, deadline, budget
        self.index: dict = {}
        self.received = 0  # bytes, all downloads together, against `budget` (--max-download)
        self._opener = urllib.request.build_opener(_WatchedHTTPHandler(deadline), _WatchedHTTPSHandler(deadline))

    @classmethod
    def open(cls, source: str, timeout: float, deadline: Deadline, budget: int) -> Origin:
        """Find the bundle index at SOURCE or at SOURCE/bundles (SOURCE being outputs/)."""
        remote = urllib.parse.urlsplit(source).scheme in ("http", "https")
        if not remote and not Path(source).is_dir():
            raise PullError("no such directory, and not an http(s) URL", path=source,
                            hint="give the URL or directory where outputs/bundles is served")
        base = source if source.endswith("/") or not remote else source + "/"
        tried = []
        received = 0
        for prefix in ("", "bundles/"):
            origin = cls(urllib.parse.urljoin(base, prefix) if remote else str(Path(source) / prefix),
                         timeout, deadline, budget)
            origin.received = received
            data = origin.fetch(INDEX_NAME, size=None, sha256=None, what="bundle index", missing_ok=True)
            received = origin.received
            tried.append(origin.url(INDEX_NAME))
            if data is None:
                continue
            try:
                origin.index = read_index(data, origin.url(INDEX_NAME))
            except BundleError as err:
                if prefix:
                    raise PullError(err.message, path=err.path, hint=err.hint) from err
                continue  # SOURCE/index.json is something else; try SOURCE/bundles/
            return origin
        raise PullError(f"no bundle index at {' or '.join(tried)}",
                        hint="give the URL or directory of outputs/bundles (or outputs/) of a "
                             "lingopress project that has published")

    def url(self, relative: str) -> str:
        if urllib.parse.urlsplit(self.base).scheme:
            return urllib.parse.urljoin(self.base, relative)
        return str(Path(self.base) / relative)

    def reserve(self, size: int, where: str) -> None:
        """Refuse up front what the index says would exceed --max-download."""
        if self.received + size > self.budget:
            self._over_budget(self.received + size, where)

    def _over_budget(self, total: int, where: str) -> None:
        raise PullError(f"the download needs {human(total)}, more than --max-download {human(self.budget)}",
                        path=where, hint="if you trust this source, raise it with --max-download SIZE (e.g. 4GiB)")

    def _open(self, relative: str, missing_ok: bool) -> BinaryIO | None:
        where = self.url(relative)
        self.deadline.check(where)
        try:
            if urllib.parse.urlsplit(where).scheme:
                return self._opener.open(where, timeout=min(self.timeout, self.deadline.remaining()))
            return open(where, "rb")
        except urllib.error.HTTPError as err:
            if missing_ok and err.code == 404:
                return None
            raise PullError(f"download failed: HTTP {err.code} {err.reason}", path=where,
                            hint="check the URL and that the bundles are still served") from err
        except FileNotFoundError as err:
            if missing_ok:
                return None
            raise PullError("file is missing", path=where, hint="the bundle directory is incomplete; "
                            "publish again or pick another --version") from err
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            self.deadline.check(where)
            reason = getattr(err, "reason", None) or err
            raise PullError(f"download failed: {reason}", path=where,
                            hint="check the URL and the network, then pull again") from err

    def download(self, relative: str, target: BinaryIO, *, size: int | None, sha256: str | None,
                 what: str = "archive", missing_ok: bool = False) -> bool:
        """Copy a file to `target`, checking its size and sha256 against what the index says.

        Without a declared size, a document is allowed MAX_DOCUMENT_BYTES. Returns False
        when the file is missing and `missing_ok`.
        """
        where = self.url(relative)
        stream = self._open(relative, missing_ok)
        if stream is None:
            return False
        limit = size if size is not None else MAX_DOCUMENT_BYTES
        digest, received = hashlib.sha256(), 0
        with stream:
            try:
                while chunk := stream.read(_CHUNK):
                    received += len(chunk)
                    self.received += len(chunk)
                    self.deadline.check(where)
                    if received > limit:
                        raise PullError(f"{what} is larger than the {limit} bytes expected", path=where,
                                        hint="the file was changed after it was published; do not use it")
                    if self.received > self.budget:
                        self._over_budget(self.received, where)
                    digest.update(chunk)
                    target.write(chunk)
            except (OSError, http.client.HTTPException) as err:
                self.deadline.check(where)
                raise PullError(f"{what} download broke off after {received} bytes: {err!r}", path=where,
                                hint="pull again") from err
        self.deadline.check(where)
        if size is not None and received != size:
            raise PullError(f"{what} is truncated: {received} of {size} bytes", path=where,
                            hint="the download broke off or the file was cut; pull again")
        if sha256 is not None and digest.hexdigest() != sha256:
            raise PullError(f"{what} sha256 {digest.hexdigest()[:16]}… does not match the index "
                            f"({sha256[:16]}…)", path=where,
                            hint="the file was damaged or tampered with; do not use it")
        return True

    def fetch(self, relative: str, *, size: int | None, sha256: str | None, what: str,
              missing_ok: bool = False) -> bytes | None:
        """A small document, in memory; None when missing and `missing_ok`."""
        if size is not None and size > MAX_DOCUMENT_BYTES:
            raise PullError(f"{what} is declared as {human(size)}, more than a {what} can be "
                            f"({human(MAX_DOCUMENT_BYTES)})", path=self.url(relative),
                            hint="this is not a lingopress bundle source; do not use it")
        buffer = io.BytesIO()
        if not self.download(relative, buffer, size=size, sha256=sha256, what=what, missing_ok=missing_ok):
            return None
        return buffer.getvalue()
