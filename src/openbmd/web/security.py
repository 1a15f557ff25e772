"""Who may talk to the dashboard, and how much: one ASGI middleware in front of the app.

In order, for every HTTP request (WebSocket connections are refused: the dashboard has
none):

1. **Loopback only** (no token configured): the client address must be a loopback
   address and the ``Host`` header a loopback name (``127.0.0.1``, ``localhost``,
   ``[::1]``), which defeats DNS rebinding from a web page. Else 403.
2. **Token** (configured; required off loopback): ``Authorization: Bearer TOKEN``,
   ``?token=TOKEN`` or the ``openbmd_token`` cookie. None: 401; a wrong one: 403. A page
   opened with a right ``?token=`` gets the cookie and a redirect to the same address
   without the token (so it leaves the address bar and the history).
3. **Cross-site writes**: a POST (or other unsafe method) whose ``Origin`` is neither
   this server nor a configured CORS origin, or that the browser marks ``Sec-Fetch-Site:
   cross-site``, gets 403: another web site cannot start runs or upload scenarios.
4. **Size**: a body whose ``Content-Length`` exceeds the request limit gets 413 before it
   is read; a body without one is counted while read and stopped at the limit (413).

Every response carries ``X-Content-Type-Options: nosniff``, ``X-Frame-Options:
SAMEORIGIN``, ``Referrer-Policy: no-referrer``, ``Cross-Origin-Resource-Policy:
same-origin``; API answers ``Cache-Control: no-store``.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse, RedirectResponse

from openbmd.web.settings import WebSettings, is_loopback

__all__ = ["COOKIE_NAME", "SecurityMiddleware", "request_limit_bytes"]

#: Cookie that carries the token for the browser (pages, static files, event streams).
COOKIE_NAME: Final = "openbmd_token"
_UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SECURITY_HEADERS: Final = (
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "SAMEORIGIN"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-resource-policy", "same-origin"),
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def request_limit_bytes(settings: WebSettings) -> int:
    """Largest request body: an upload escaped into JSON (up to twice its size) plus
    room for multipart framing."""
    return 2 * settings.max_upload_bytes + 64 * 1024


class SecurityMiddleware:
    """The checks of the module notes, in front of ``app``."""

    def __init__(self, app: ASGIApp, settings: WebSettings) -> None:
        self.app = app
        self.settings = settings
        self.limit = request_limit_bytes(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # the dashboard has none: refuse before any check
            await receive()
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        declared = headers.get("content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _error(400, "the Content-Length header is not a number")(scope, receive, send)
                return
            if size > self.limit:
                message = f"request body too large: {size:,} bytes (limit {self.limit:,} bytes)"
                await _error(413, message)(scope, receive, send)
                return
        api = str(scope.get("path", "")).startswith("/api/")
        await self.app(scope, self._counting(receive), _with_headers(send, api=api))

    def _refusal(self, scope: Scope, headers: Headers) -> Callable[..., Awaitable[None]] | None:
        token = self.settings.token
        if token is None:
            client = scope.get("client")
            if client is None or not is_loopback(str(client[0])):
                return _error(403, "this server answers loopback clients only")
            host = _host_name(headers.get("host", ""))
            if not is_loopback(host):
                return _error(403, f"unexpected Host header {host!r}: use 127.0.0.1 or localhost")
        else:
            given, from_query = _presented_token(scope, headers)
            if given is None:
                return _error(
                    401,
                    "a token is required: send 'Authorization: Bearer TOKEN' or open "
                    "the page with ?token=TOKEN",
                    {"www-authenticate": "Bearer"},
                )
            if not secrets.compare_digest(given.encode(), token.encode()):
                return _error(403, "wrong token")
            if from_query and scope["method"] == "GET" and not scope["path"].startswith("/api/"):
                return _cookie_redirect(scope, token)
        if scope["method"] in _UNSAFE_METHODS:
            return self._cross_site(headers)
        return None

    def _cross_site(self, headers: Headers) -> Callable[..., Awaitable[None]] | None:
        origin = headers.get("origin")
        if origin is not None:
            if origin in self.settings.cors_origins:
                return None
            parts = urlsplit(origin)
            if parts.netloc.lower() != headers.get("host", "").lower():
                return _error(403, f"cross-site request from {origin!r} refused")
        elif headers.get("sec-fetch-site") == "cross-site":
            return _error(403, "cross-site request refused")
        return None

    def _counting(self, receive: Receive) -> Receive:
        seen = 0
        limit = self.limit

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(
                        413, f"request body too large: over {limit:,} bytes (limit {limit:,})"
                    )
            return message

        return counted


def _with_headers(send: Send, *, api: bool) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in _SECURITY_HEADERS:
                headers.setdefault(name, value)
            if api:
                headers.setdefault("cache-control", "no-store")
        await send(message)

    return sending


def _error(
    status: int, detail: str, headers: dict[str, str] | None = None
) -> Callable[..., Awaitable[None]]:
    merged = dict(_SECURITY_HEADERS)
    merged.update(headers or {})
    return JSONResponse({"detail": detail}, status_code=status, headers=merged)


def _host_name(host: str) -> str:
    """The name of a Host header without its port (``[::1]:8000`` -> ``::1``)."""
    host = host.strip()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _presented_token(scope: Scope, headers: Headers) -> tuple[str | None, bool]:
    """The token the request carries, and whether it came in the query."""
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip(), False
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    if "token" in query:
        return query["token"], True
    cookie = cookie_parser(headers.get("cookie", "")).get(COOKIE_NAME)
    return cookie, False


def _cookie_redirect(scope: Scope, token: str) -> RedirectResponse:
    query = [
        (k, v)
        for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"))
        if k != "token"
    ]
    path = "/" + str(scope["path"]).lstrip("/")  # never '//host': that leaves the site
    target = path + (f"?{urlencode(query)}" if query else "")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE_NAME, token, httponly=True, samesite="strict", path="/")
    for name, value in _SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    return response
