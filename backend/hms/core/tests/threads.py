"""Real threads for race tests (PostgreSQL, MySQL/MariaDB): start them together, collect what
each returned or raised."""

import threading

from django.db import connections


def run_at_once(count: int, fn, *, timeout: float = 120) -> list:
    """Call `fn(index)` in `count` threads released together by a barrier. Returns each
    thread's result, or the exception it raised, by index. Each thread closes its database
    connections when done."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index):
        try:
            barrier.wait(timeout=20)
            results[index] = fn(index)
        except Exception as exc:  # collected and asserted by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
