"""The one HTTP client of the desktop application.

`ApiClient` owns the server address, the JWT pair and an `httpx.Client`. It is called from
worker threads (never from the UI thread) and is safe to share between them: a refused access
token is refreshed once, under a lock, so that two requests failing together rotate the refresh
token only once; if the refresh is refused too, `SessionExpired` tells the UI to sign in again.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from hms_desktop import __version__
from hms_desktop.api.dto import Capabilities, Health, LoginResult, RefreshedTokens, User
from hms_desktop.api.errors import (
    ApiError,
    DownloadCancelled,
    SaveFailed,
    ServerUnreachable,
    SessionExpired,
)

DEFAULT_TIMEOUT = 15.0
CONNECT_TIMEOUT = 5.0

Params = Mapping[str, Any] | None
# (bytes received so far, the whole size or None when the server streams without one)
Progress = Callable[[int, int | None], None]
DOWNLOAD_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Download:
    """A file saved from a streamed answer."""

    path: Path
    size: int
    content_type: str


def normalise_server_url(url: str) -> str:
    """`host:8000` → `http://host:8000`; no trailing slash. Raises ValueError when hopeless."""
    url = url.strip()
    if not url:
        raise ValueError("Enter the server address, e.g. http://127.0.0.1:8000")
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"Not a server address: {url}")
    return url.rstrip("/")


class ApiClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._timeout = timeout
        self._transport = transport
        self._lock = threading.Lock()
        self._access: str | None = None
        self._refresh: str | None = None
        self.user: User | None = None
        self.capabilities: Capabilities | None = None
        self.on_tokens_changed: Callable[[], None] | None = None
        self._base_url = normalise_server_url(base_url)
        self._http = self._make_http()

    # --- configuration -------------------------------------------------------------------

    def _make_http(self) -> httpx.Client:
        return httpx.Client(
            base_url=self._base_url,
            timeout=httpx.Timeout(self._timeout, connect=min(CONNECT_TIMEOUT, self._timeout)),
            headers={"Accept": "application/json", "User-Agent": f"hms-desktop/{__version__}"},
            transport=self._transport,
            follow_redirects=False,
        )

    @property
    def base_url(self) -> str:
        return self._base_url

    @base_url.setter
    def base_url(self, url: str) -> None:
        url = normalise_server_url(url)
        if url != self._base_url:
            old = self._http
            self._base_url = url
            self._http = self._make_http()
            self.clear_tokens()
            old.close()

    @property
    def is_authenticated(self) -> bool:
        return self._access is not None

    @property
    def access_token(self) -> str | None:
        return self._access

    @property
    def refresh_token(self) -> str | None:
        return self._refresh

    def set_tokens(self, access: str | None, refresh: str | None) -> None:
        self._access, self._refresh = access, refresh
        if self.on_tokens_changed:
            self.on_tokens_changed()

    def clear_tokens(self) -> None:
        self.user = None
        self.capabilities = None
        self.set_tokens(None, None)

    def close(self) -> None:
        self._http.close()

    # --- transport -----------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        token: str | None,
        json: Any = None,
        params: Params = None,
        files: Any = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        if callable(json):  # a body that depends on the tokens is built at each attempt
            json = json()
        if callable(files):  # file handles are opened afresh for each attempt
            files = files()
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            return self._http.request(
                method, path, json=json, params=clean, headers=headers, files=files
            )
        except httpx.TimeoutException as exc:
            raise ServerUnreachable(
                f"The server at {self._base_url} did not answer in time ({type(exc).__name__})."
            ) from exc
        except (httpx.TransportError, OSError) as exc:
            raise ServerUnreachable(f"Cannot reach the server at {self._base_url}: {exc}") from exc

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Params = None,
        auth: bool = True,
        files: Any = None,
        raw: bool = False,
    ) -> Any:
        """Send a request and return the decoded JSON body (None for an empty answer), or
        the bytes with `raw` (images). `files` sends a multipart upload.

        Raises ApiError for error answers, ServerUnreachable when there is no answer and
        SessionExpired when the tokens can no longer be used.
        """
        token = self._access if auth else None
        if auth and token is None:
            raise SessionExpired("You are not signed in.")
        send = {"json": json, "params": params, "files": files}
        response = self._send(method, path, token=token, **send)
        if auth and response.status_code == 401:
            if not self._refresh_after(token):
                raise SessionExpired()
            response = self._send(method, path, token=self._access, **send)
            if response.status_code == 401:
                raise SessionExpired()
        if response.is_error:
            raise ApiError.from_response(response)
        if raw:
            return response.content
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError(
                "The server sent an answer the client cannot read.",
                status=response.status_code,
                code="bad_response",
            ) from exc

    @contextlib.contextmanager
    def _stream(self, path: str, *, token: str | None, params: Params) -> Iterator[httpx.Response]:
        """A GET whose body is read as it arrives; transport failures are ServerUnreachable."""
        headers = {"Authorization": f"Bearer {token}"} if token else None
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            with self._http.stream("GET", path, params=clean, headers=headers) as response:
                yield response
        except httpx.TimeoutException as exc:
            raise ServerUnreachable(
                f"The server at {self._base_url} did not answer in time ({type(exc).__name__})."
            ) from exc
        except httpx.TransportError as exc:
            raise ServerUnreachable(f"Cannot reach the server at {self._base_url}: {exc}") from exc

    def download(
        self,
        path: str,
        dest: Path,
        *,
        params: Params = None,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Download:
        """Stream a file answer to `dest` chunk by chunk (never the whole file in memory).

        The bytes go to `dest` + ".part" first and replace `dest` only when complete, so a
        failed or cancelled download leaves no half file under the chosen name. `progress`
        is called after each chunk; `cancelled()` is asked between chunks. Raises what
        `request` raises, `DownloadCancelled`, or `SaveFailed` when the file cannot be written.
        """
        token = self._access
        if token is None:
            raise SessionExpired("You are not signed in.")
        for attempt in (1, 2):
            with self._stream(path, token=token, params=params) as response:
                if response.status_code == 401:
                    if attempt == 2 or not self._refresh_after(token):
                        raise SessionExpired()
                    token = self._access
                    continue
                if response.is_error:
                    response.read()
                    raise ApiError.from_response(response)
                return _save_stream(response, Path(dest), progress, cancelled)
        raise SessionExpired()  # not reached: the second 401 raises above

    def get(self, path: str, params: Params = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, json: Any = None) -> Any:
        return self.request("POST", path, json=json if json is not None else {})

    def patch(self, path: str, json: Any) -> Any:
        return self.request("PATCH", path, json=json)

    def get_bytes(self, path: str, params: Params = None) -> bytes:
        return self.request("GET", path, params=params, raw=True)

    def upload(self, path: str, files: Any) -> Any:
        """Multipart POST; `files` is a callable returning httpx's files list (so a retry
        after a token refresh reopens the files)."""
        return self.request("POST", path, files=files)

    def put(self, path: str, json: Any) -> Any:
        return self.request("PUT", path, json=json)

    def delete(self, path: str, json: Any = None) -> Any:
        return self.request("DELETE", path, json=json)

    # --- tokens --------------------------------------------------------------------------

    def _refresh_after(self, failed_token: str | None) -> bool:
        """Refresh the pair once; True when a usable access token is in place afterwards."""
        with self._lock:
            if self._access is not None and self._access != failed_token:
                return True  # another request refreshed while this one waited
            refresh = self._refresh
            if not refresh:
                return False
            response = self._send(
                "POST", "/api/token/refresh/", token=None, json={"refresh": refresh}
            )
            if response.status_code == 200:
                tokens = RefreshedTokens.from_json(response.json())
                self.set_tokens(tokens.access, tokens.refresh or refresh)
                return True
            if response.status_code in (400, 401, 403):
                self.clear_tokens()
                return False
            raise ApiError.from_response(response)

    def login(self, username: str, password: str) -> LoginResult:
        data = self.request(
            "POST",
            "/api/login/",
            json={"username": username, "password": password},
            auth=False,
        )
        result = LoginResult.from_json(data)
        self.user = result.user
        self.set_tokens(result.access, result.refresh)
        return result

    def sign_in(self, username: str, password: str) -> LoginResult:
        """Log in, then read once what this user may do and the server's clinical rules."""
        result = self.login(username, password)
        self.load_capabilities()
        return result

    def load_capabilities(self) -> Capabilities:
        self.capabilities = Capabilities.from_json(self.get("/api/profile/capabilities/"))
        return self.capabilities

    def logout(self) -> None:
        """Revoke the refresh token on the server, then forget both tokens.

        The tokens are forgotten even when the server cannot be told (the error is re-raised
        so the caller may say so).
        """
        refresh = self._refresh
        try:
            if refresh and self._access:
                # Built at send time: if the access token is refreshed first, the refresh
                # token rotates and the new one is the one to revoke.
                self.request("POST", "/api/logout/", json=lambda: {"refresh": self._refresh})
        except SessionExpired:
            pass  # nothing left to revoke
        finally:
            self.clear_tokens()

    def health(self) -> Health:
        response = self._send("GET", "/health/", token=None)
        try:
            data = response.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if response.status_code not in (200, 503):
            raise ApiError.from_response(response)
        return Health.from_json(data, http_ok=response.status_code == 200)


def _save_stream(
    response: httpx.Response,
    dest: Path,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
) -> Download:
    length = response.headers.get("Content-Length")
    total = int(length) if length and length.isdigit() else None
    partial = dest.with_name(dest.name + ".part")
    done = 0
    try:
        with open(partial, "wb") as out:
            for chunk in response.iter_bytes(DOWNLOAD_CHUNK):
                if cancelled is not None and cancelled():
                    raise DownloadCancelled()
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
        os.replace(partial, dest)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise SaveFailed(f"Could not save {dest}: {exc.strerror or exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    return Download(path=dest, size=done, content_type=content_type)
