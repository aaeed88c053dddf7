"""Counters of what the emulator served and charged."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
    """Requests per endpoint, units charged per endpoint and per world day, faults, statuses."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Zero every counter."""
        self.requests: Counter[str] = Counter()
        self.units: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.faults: Counter[str] = Counter()
        self.usage: dict[str, int] = {}

    def record(self, endpoint: str, status: int, units: int, day: str) -> None:
        """Count one answered API request."""
        with self._lock:
            self.requests[endpoint] += 1
            self.statuses[status] += 1
            if units:
                self.units[endpoint] += units
                self.usage[day] = self.usage.get(day, 0) + units

    @property
    def units_total(self) -> int:
        """Units charged since the last reset."""
        return sum(self.units.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counters."""
        with self._lock:
            return {
                "requests": dict(self.requests),
                "requests_total": sum(self.requests.values()),
                "units": dict(self.units),
                "units_total": self.units_total,
                "usage": dict(self.usage),
                "statuses": {str(k): v for k, v in self.statuses.items()},
                "faults": dict(self.faults),
            }
