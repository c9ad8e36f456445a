"""One converter from the server's JSON to the DTO dataclasses, driven by their field types.

A `Dto` dataclass reads each field from the JSON key of the same name, structured by its type
(dates, datetimes and times from ISO 8601, decimals from their text, nested DTOs, lists and
optionals) through one cattrs converter. A field may say where else its value is
(`json_key("bed", "label")` reads `{"bed": {"label": ...}}`), how to read an odd shape
(`parse=`), or how to complete itself from the others once read (`finish=`).

What the JSON leaves out or sends as null:
- a field with a default takes its default; null for a field whose type is not optional is the
  default, or the type's empty value (`""`, `0`, `False`, `0.00`, `[]`, an empty DTO);
- a field without a default must be sent.

Keys the client knowingly leaves unread are listed in the class's `unread`. Any other unknown
key, and any missing field, is a mismatch between this client and its server. With
`HMS_DESKTOP_STRICT_DTO=1` (the desktop tests) a mismatch raises `DtoMismatch`; otherwise the
client tolerates it (missing fields take their type's empty value) and logs each unknown or
missing field once.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import types
import typing
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, ClassVar, Self, Union

import cattrs
from cattrs.gen import make_dict_structure_fn

STRICT_ENV = "HMS_DESKTOP_STRICT_DTO"

log = logging.getLogger(__name__)

_ABSENT = object()
_reported: set[tuple[str, str]] = set()


class DtoMismatch(ValueError):
    """The server's JSON does not fit the DTO (an unknown key or a missing field)."""


def strict() -> bool:
    return os.environ.get(STRICT_ENV, "").strip() not in ("", "0", "false", "no")


def json_key(*path: str, parse: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """Field metadata: the value is at `path` in the JSON (a key, or a key inside an object)."""
    return {"json": path, "parse": parse}


def computed(finish: Callable[[Any], Any]) -> dict[str, Any]:
    """Field metadata: the value is not in the JSON; `finish(dto)` gives it from the rest."""
    return {"json": None, "finish": finish}


def completed(finish: Callable[[Any], Any]) -> dict[str, Any]:
    """Field metadata: read from the JSON, then replaced by `finish(dto)` (which may keep it)."""
    return {"finish": finish}


class Dto:
    """A dataclass the server's JSON converts to through `converter`."""

    # Keys the server sends that the client has no use for (`"bed.id"`: a key inside one).
    unread: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def from_json(cls, data: Any) -> Self:
        return structure(data, cls)


def structure(data: Any, cls: type[Any]) -> Any:
    return converter.structure(data, cls)


def _is_optional(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType) and type(None) in typing.get_args(tp)


def _is_dto(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Dto) and dataclasses.is_dataclass(tp)


def _empty(tp: Any) -> Any:
    """The value a field of type `tp` takes when the server sends null (or, tolerated, nothing)."""
    if tp is Any or _is_optional(tp):
        return None
    origin = typing.get_origin(tp) or tp
    if origin in (list, dict):
        return origin()
    if tp is Decimal:
        return Decimal("0.00")
    if tp in (str, int, float, bool):
        return tp()
    if _is_dto(tp):
        hints = typing.get_type_hints(tp)
        return tp(
            **{
                f.name: _empty(hints[f.name])
                for f in dataclasses.fields(tp)
                if f.init and _required(f)
            }
        )
    raise DtoMismatch(f"no value for a {tp!r}")


def _required(f: dataclasses.Field) -> bool:
    no_default = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    return no_default and f.metadata.get("json", ()) is not None


def _default(f: dataclasses.Field) -> Any:
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


def _lookup(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at `path`; None when an object on the way is null, _ABSENT when a key is."""
    value: Any = data
    for key in path:
        if value is None:
            return None
        if not isinstance(value, dict) or key not in value:
            return _ABSENT
        value = value[key]
    return value


def _mismatch(cls: type[Any], unknown: list[str], missing: list[str]) -> None:
    problems = []
    if unknown:
        problems.append(f"unknown field(s) {', '.join(unknown)}")
    if missing:
        problems.append(f"missing field(s) {', '.join(missing)}")
    if strict():
        raise DtoMismatch(f"{cls.__name__}: the server's JSON has {'; '.join(problems)}")
    new = [(cls.__qualname__, name) for name in (*unknown, *missing)]
    if any(key not in _reported for key in new):
        _reported.update(new)
        log.warning("%s: the server's JSON has %s", cls.__name__, "; ".join(problems))


def _dto_hook(cls: type[Any]) -> Callable[[Any, Any], Any]:
    hints = typing.get_type_hints(cls)
    fields = [f for f in dataclasses.fields(cls) if f.init]
    # (field, where its value is in the JSON or None, how to read it)
    read = [(f, f.metadata.get("json", (f.name,)), f.metadata.get("parse")) for f in fields]
    known: dict[str, set[str]] = {}  # top-level key -> known keys inside it (empty: any)
    paths = [path for _f, path, _parse in read if path]
    paths += [tuple(key.split(".")) for key in cls.unread]
    for path in paths:
        inner = known.setdefault(path[0], set())
        if len(path) > 1:
            inner.add(path[1])
    finishers = [(f.name, f.metadata["finish"]) for f in fields if "finish" in f.metadata]
    build = make_dict_structure_fn(cls, converter)

    def hook(data: Any, _: Any) -> Any:
        if isinstance(data, cls):  # an empty one, for a null the type does not allow
            return data
        if not isinstance(data, dict):
            raise DtoMismatch(f"{cls.__name__}: expected a JSON object, got {data!r}")
        unknown = sorted(key for key in data if key not in known)
        for key, inner in known.items():
            if inner and isinstance(data.get(key), dict):
                unknown += sorted(f"{key}.{k}" for k in data[key] if k not in inner)
        values: dict[str, Any] = {}
        missing: list[tuple[dataclasses.Field, tuple[str, ...]]] = []
        for f, path, parse in read:
            if path is None:
                continue
            raw = _lookup(data, path)
            if raw is _ABSENT:
                if _required(f):
                    missing.append((f, path))
            elif raw is None and not _is_optional(hints[f.name]):
                values[f.name] = _empty(hints[f.name]) if _required(f) else _default(f)
            else:
                values[f.name] = parse(raw) if parse else raw
        if unknown or missing:
            _mismatch(cls, unknown, [".".join(path) for _f, path in missing])
            values.update({f.name: _empty(hints[f.name]) for f, _path in missing})
        dto = build(values, cls)
        if finishers:
            dto = dataclasses.replace(dto, **{name: finish(dto) for name, finish in finishers})
        return dto

    return hook


def _parse_datetime(value: Any, _: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


converter = cattrs.Converter()
converter.register_structure_hook(datetime, _parse_datetime)
converter.register_structure_hook(date, lambda value, _: date.fromisoformat(value))
converter.register_structure_hook(time, lambda value, _: time.fromisoformat(value))
converter.register_structure_hook(Decimal, lambda value, _: Decimal(str(value)))
converter.register_structure_hook_factory(_is_dto, _dto_hook)
