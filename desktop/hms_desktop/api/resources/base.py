"""What every resource shares: the client, and one way to read each kind of answer.

Every answer goes through the DTO converter (`hms_desktop.api.dto.convert`), envelopes
included, so a key the client does not expect, or one it needs and does not get, shows as a
mismatch (an error in the desktop tests) instead of an empty screen.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from hms_desktop.api.client import ApiClient, Params
from hms_desktop.api.dto import Page
from hms_desktop.api.dto.convert import structure

DEFAULT_PAGE_SIZE = 50
# Short lists (a ward's rooms, the procedure catalogue) are read as one page of this size.
ONE_PAGE = 100

T = TypeVar("T")


class Resource:
    """One API area over the shared `ApiClient`."""

    def __init__(self, client: ApiClient) -> None:
        self._client = client

    def _get(self, cls: type[T], path: str, params: Params = None) -> T:
        return structure(self._client.get(path, params), cls)

    def _post(self, cls: type[T], path: str, body: Any = None) -> T:
        return structure(self._client.post(path, body), cls)

    def _patch(self, cls: type[T], path: str, body: Any) -> T:
        return structure(self._client.patch(path, body), cls)

    def _send(self, cls: type[T], method: str, path: str, body: Any = None) -> T:
        """Any other method (PUT, DELETE with a body)."""
        return structure(self._client.request(method, path, json=body), cls)

    def _page(
        self,
        item: type[T],
        path: str,
        filters: dict[str, Any] | None = None,
        *,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        page_type: type[Page] = Page,
    ) -> Any:
        """One page of a list (`page_type` is `SummaryPage` for a worklist with its counts)."""
        params = {"page": page, "page_size": page_size, **(filters or {})}
        return page_type.from_json(self._client.get(path, params), item.from_json, page)

    def _rows(self, item: type[T], path: str, filters: dict[str, Any] | None = None) -> list[T]:
        """A short list: the rows of its first page of `ONE_PAGE`."""
        return self._page(item, path, filters, page_size=ONE_PAGE).results


def listing(
    item: type[T],
    path: str,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    page_type: type[Page] = Page,
    booleans: bool = False,
) -> Callable[..., Any]:
    """A resource's method reading one page of `path`: `(page=1, page_size=..., **filters)`,
    filters sent as query parameters (`booleans`: True as "true", False left out)."""

    def read_page(
        self: Resource, *, page: int = 1, page_size: int = page_size, **filters: Any
    ) -> Any:
        sent = flags(filters) if booleans else filters
        return self._page(item, path, sent, page=page, page_size=page_size, page_type=page_type)

    return read_page


def action(item: type[T], path: str) -> Callable[..., Any]:
    """A resource's method posting an action without a body to one object: `(object_id)`;
    `path` has `{}` where the object's id goes."""

    def post_action(self: Resource, object_id: str) -> Any:
        return self._post(item, path.format(object_id))

    return post_action


def decimals(fields: dict[str, Any]) -> dict[str, Any]:
    """Money as the server reads it: Decimal values sent as their text."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in fields.items()}


def flags(filters: dict[str, Any]) -> dict[str, Any]:
    """Booleans as the server's query strings ("true"); False/None are left out."""
    return {k: ("true" if v is True else v) for k, v in filters.items() if v is not False}
