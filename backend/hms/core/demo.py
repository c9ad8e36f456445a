"""Demo data loaders. Each app registers one in its `demo.py`; `manage.py seed_demo` runs them
in order. Every loader must be idempotent (safe to run again on the same database)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class DemoLoader:
    order: int
    name: str
    load: Callable[[], str]  # returns a one-line summary


_LOADERS: dict[str, DemoLoader] = {}


def register_demo_loader(*, order: int, name: str):
    def decorator(fn: Callable[[], str]) -> Callable[[], str]:
        _LOADERS[name] = DemoLoader(order, name, fn)
        return fn

    return decorator


def demo_loaders() -> list[DemoLoader]:
    autodiscover_modules("demo")
    return sorted(_LOADERS.values(), key=lambda loader: (loader.order, loader.name))
