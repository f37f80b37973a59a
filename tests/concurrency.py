"""Races, for the tests that need several workers at the same moment."""

import threading
from collections.abc import Callable

from django.db import connections


def at_once(work: Callable[[], object], times: int) -> list:
    """Run `work` in `times` threads released together, each on its own
    database connection; what each returned, in the order they finished."""
    barrier = threading.Barrier(times)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(work())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
