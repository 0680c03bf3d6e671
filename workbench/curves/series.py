"""One metric's history: (step, wall time, value), append-only, in growable NumPy arrays."""

from __future__ import annotations

import numpy as np

_INITIAL = 256


class Series:
    """Append-only history of one metric of one split; O(1) amortized append.

    ``steps``, ``wall_times`` and ``values`` are views of the filled part (no copies).
    """

    def __init__(self) -> None:
        self._steps = np.empty(_INITIAL, dtype=np.int64)
        self._walls = np.empty(_INITIAL, dtype=np.float64)
        self._values = np.empty(_INITIAL, dtype=np.float64)
        self._n = 0

    def append(self, step: int, wall_time: float, value: float) -> None:
        if self._n == len(self._steps):
            self._grow(self._n + 1)
        self._steps[self._n] = step
        self._walls[self._n] = wall_time
        self._values[self._n] = value
        self._n += 1

    def extend(self, steps: np.ndarray, wall_times: np.ndarray, values: np.ndarray) -> None:
        n = len(steps)
        if not (len(wall_times) == len(values) == n):
            raise ValueError(
                "Expected steps, wall_times and values of one length. Received: "
                f"{n}, {len(wall_times)}, {len(values)}"
            )
        if self._n + n > len(self._steps):
            self._grow(self._n + n)
        self._steps[self._n : self._n + n] = steps
        self._walls[self._n : self._n + n] = wall_times
        self._values[self._n : self._n + n] = values
        self._n += n

    def _grow(self, needed: int) -> None:
        size = max(needed, 2 * len(self._steps))
        for name in ("_steps", "_walls", "_values"):
            old = getattr(self, name)
            new = np.empty(size, dtype=old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)

    def __len__(self) -> int:
        return self._n

    @property
    def steps(self) -> np.ndarray:
        return self._steps[: self._n]

    @property
    def wall_times(self) -> np.ndarray:
        return self._walls[: self._n]

    @property
    def values(self) -> np.ndarray:
        return self._values[: self._n]

    def last(self) -> tuple[int, float] | None:
        if not self._n:
            return None
        return int(self._steps[self._n - 1]), float(self._values[self._n - 1])
