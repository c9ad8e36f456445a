"""Loading slow reference data when a server or worker process starts, not on a user's click.

Some lookups read a large table the first time they are used (the drug-name recogniser's
dictionary, the WHO ICD-10 list). A loader for such a table is a `load_once` function: it runs
at most once per process, and a caller that arrives while it is loading waits for that same
load (a lock) instead of starting a second one.

Apps register their loaders with `warm_up_register` (cheap: nothing is loaded then). The
process entry points (`config/asgi.py`, `config/wsgi.py`, Celery's `worker_process_init` in
`config/celery.py`) call `warm_up_start()`, which runs every registered loader in one
background thread, so the server starts listening at once. It does nothing unless
`settings.HMS_WARM_UP_AT_START` is on (on in development and production, off in tests, so a
test that never analyses a prescription does not pay for the dictionary). Management commands
do not import those entry points, so `migrate` or `seed_demo` load nothing they do not use.

`warm_up_status()` says whether every loader has finished (`/health/` reports it as `warm`).
"""

import functools
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


class LoadOnce:
    """A zero-argument loader whose result is kept for the life of the process.

    Concurrent first callers share one load: the first runs it under a lock, the others wait
    on the lock and then read the result. A load that raises is not kept: the next call tries
    again.
    """

    def __init__(self, loader: Callable[[], Any]) -> None:
        functools.update_wrapper(self, loader)
        self._loader = loader
        self._lock = threading.Lock()
        self._loaded = False
        self._value: Any = None
        self.load_seconds: float | None = None
        _ALL.append(self)

    def __call__(self) -> Any:
        if self._loaded:
            return self._value
        with self._lock:
            if not self._loaded:
                started = time.perf_counter()
                self._value = self._loader()
                self.load_seconds = time.perf_counter() - started
                self._loaded = True
        return self._value

    @property
    def loaded(self) -> bool:
        return self._loaded

    def cache_clear(self) -> None:
        """Forget the loaded value (tests): the next call loads again."""
        with self._lock:
            self._loaded, self._value, self.load_seconds = False, None, None

    def _after_fork(self) -> None:
        # A lock held by a thread of the parent is held for ever in the child (the thread is
        # not copied): a child gets fresh locks, and loads again what was not finished.
        self._lock = threading.Lock()


def load_once(loader: Callable[[], Any]) -> LoadOnce:
    """Decorator: see LoadOnce."""
    return LoadOnce(loader)


_ALL: list[LoadOnce] = []
_REGISTRY: dict[str, LoadOnce] = {}
_start_lock = threading.Lock()
_thread: threading.Thread | None = None
_errors: dict[str, str] = {}


def warm_up_register(name: str, loader: LoadOnce) -> None:
    """Run `loader` (a `load_once` function) when the process starts."""
    if not isinstance(loader, LoadOnce):
        raise TypeError(f"{name}: register a @load_once function, so a request can wait for it.")
    _REGISTRY[name] = loader


def _run() -> None:
    started = time.perf_counter()
    for name, loader in list(_REGISTRY.items()):
        try:
            loader()
        except Exception as exc:  # a failed warm-up is retried by the first real use
            _errors[name] = f"{type(exc).__name__}: {exc}"[:300]
            logger.exception("Warm-up of %s failed; it will load on first use.", name)
    logger.info(
        "Warm-up finished in %.1f s (%s).", time.perf_counter() - started, ", ".join(_REGISTRY)
    )


# Set by a pre-forking server's configuration (gunicorn.conf.py) in its master process: the
# master only forks the workers that serve, and a fork in the middle of a load would leave the
# worker a half-imported module. The master loads nothing; each worker warms up as it starts.
WARM_UP_IN_FORKED_WORKERS = "HMS_WARM_UP_IN_FORKED_WORKERS"
_forked = False
_requested = False


def warm_up_start() -> threading.Thread | None:
    """Start loading every registered loader in a background thread (once per process).

    Returns the thread, or None when `HMS_WARM_UP_AT_START` is off (or in a pre-forking
    master, which leaves the loading to the workers it forks)."""
    global _thread, _requested
    if not getattr(settings, "HMS_WARM_UP_AT_START", False):
        return None
    if os.environ.get(WARM_UP_IN_FORKED_WORKERS) == "1" and not _forked:
        _requested = True
        return None
    with _start_lock:
        if _thread is None:
            _thread = threading.Thread(target=_run, name="hms-warm-up", daemon=True)
            _thread.start()
        return _thread


def warm_up_status() -> dict:
    """Whether every registered loader has loaded in this process, loader by loader."""
    loaders = {}
    for name, loader in _REGISTRY.items():
        entry: dict[str, Any] = {"loaded": loader.loaded}
        if loader.loaded and loader.load_seconds is not None:
            entry["seconds"] = round(loader.load_seconds, 2)
        if name in _errors and not loader.loaded:
            entry["error"] = _errors[name]
        loaders[name] = entry
    return {
        "warm": all(entry["loaded"] for entry in loaders.values()),
        "enabled": bool(getattr(settings, "HMS_WARM_UP_AT_START", False)),
        "loaders": loaders,
    }


def _after_fork_in_child() -> None:
    global _start_lock, _thread, _forked
    _forked = True
    for loader in _ALL:
        loader._after_fork()
    _start_lock = threading.Lock()
    was_started, _thread = _thread is not None, None
    if was_started or _requested:
        # The parent's warm-up thread does not exist here (or the parent left the loading to
        # its workers): load in this process what the parent had not loaded before the fork.
        warm_up_start()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
