"""A streamed view's traffic budget: bytes a second at most, whatever its source produces.

A view that streams what changed (``CurvesWidget``) sends, per push, what fits in the budget;
what does not fit waits (it stays "changed") and goes when the budget refills, shared fairly
among the view's series.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from typing import TypeVar

__all__ = ["Budget", "daemon_timer", "share"]

K = TypeVar("K", bound=Hashable)


class Budget:
    """A token bucket: ``rate`` bytes a second, at most ``burst`` at once.

    Args:
        rate: bytes a second, on average.
        burst: bytes at most at once (what a full bucket holds).
        clock: seconds, monotonic.
    """

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = burst
        self.time = clock()

    def available(self) -> float:
        """Bytes that may be sent now."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.time) * self.rate)
        self.time = now
        return self.tokens

    def spend(self, amount: float) -> None:
        self.tokens -= amount


def share(wanted: Mapping[K, int], total: int) -> dict[K, int]:
    """``total`` items shared fairly among keys wanting ``wanted`` each (none gets more)."""
    given = dict.fromkeys(wanted, 0)
    left = total
    hungry = [key for key, n in wanted.items() if n]
    while left > 0 and hungry:
        each = max(1, left // len(hungry))
        for key in list(hungry):
            take = min(each, wanted[key] - given[key], left)
            given[key] += take
            left -= take
            if given[key] == wanted[key]:
                hungry.remove(key)
            if not left:
                break
    return given


def daemon_timer(seconds: float, fn: Callable[[], None]) -> object:
    """Calls ``fn`` on a timer thread ``seconds`` from now; never keeps a process alive."""
    timer = threading.Timer(seconds, fn)
    timer.daemon = True
    timer.start()
    return timer
