"""Remote images, only with ``--allow-remote``: http(s) only, public addresses only (also
after redirects), with a timeout and a size cap. Fetched once, then embedded like local ones."""

from __future__ import annotations

import hashlib
import ipaddress
import socket
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import DossierError, Location
from ..text.media import usual_extension

if TYPE_CHECKING:
    import urllib.request

MAX_BYTES = 16 * 1024 * 1024
TIMEOUT = 15.0
FOLDER = "remote"
"""Where fetched images live in the outputs (``remote/<digest>.<ext>``)."""


def _check(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("only http and https addresses are fetched")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ValueError(f"cannot resolve {parts.hostname}: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ValueError(f"{parts.hostname} is a private or local address ({address})")


def _opener() -> urllib.request.OpenerDirector:
    """An opener that checks every redirect's address too. urllib (with http.client, ssl
    and email) is imported only here: the writers name fetched files without fetching."""
    import urllib.request

    class CheckedRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(
            self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
        ) -> Any:
            _check(newurl)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return urllib.request.build_opener(CheckedRedirects)


def local_name(url: str) -> str:
    """The file name a fetched image gets in the outputs."""
    suffix = usual_extension(urlsplit(url).path)
    return f"{FOLDER}/{hashlib.sha256(url.encode()).hexdigest()[:20]}{suffix}"


def fetch(url: str, location: Location) -> bytes:
    """The bytes at ``url``, or a DossierError saying why not."""
    try:
        _check(url)
        with _opener().open(url, timeout=TIMEOUT) as response:
            data: bytes = response.read(MAX_BYTES + 1)
    except (ValueError, OSError) as exc:
        raise DossierError.at(location, f"image '{url}' not fetched: {exc}") from None
    if len(data) > MAX_BYTES:
        raise DossierError.at(location, f"image '{url}' is larger than {MAX_BYTES} bytes")
    return data
