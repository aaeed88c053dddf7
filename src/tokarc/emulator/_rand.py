"""Deterministic hashing: every random choice of the world is a pure function of (seed, key).

Nothing here keeps state, so an entity is the same whatever order it is asked in.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import blake2b
from typing import TypeVar

T = TypeVar("T")


class Bits:
    """256 bits of a keyed hash, read off in small pieces."""

    __slots__ = ("_pos", "_value")

    def __init__(self, seed: int, *key: object) -> None:
        digest = blake2b(repr((seed, *key)).encode(), digest_size=32).digest()
        self._value = int.from_bytes(digest, "big")
        self._pos = 0

    def take(self, n_bits: int) -> int:
        """The next ``n_bits`` bits as an int (wraps around after 256 bits)."""
        if self._pos + n_bits > 256:
            self._pos = 0
        value = (self._value >> self._pos) & ((1 << n_bits) - 1)
        self._pos += n_bits
        return value

    # The readers below are take(24) written out: they run ~30 times a generated post.

    def below(self, n: int) -> int:
        """An int in ``[0, n)``."""
        if n <= 0:
            return 0
        pos = self._pos if self._pos <= 232 else 0
        self._pos = pos + 24
        return ((self._value >> pos) & 0xFFFFFF) * n >> 24

    def unit(self) -> float:
        """A float in ``(0, 1]``."""
        pos = self._pos if self._pos <= 232 else 0
        self._pos = pos + 24
        return (((self._value >> pos) & 0xFFFFFF) + 1) / 16_777_216

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        pos = self._pos if self._pos <= 232 else 0
        self._pos = pos + 24
        return (((self._value >> pos) & 0xFFFFFF) + 1) / 16_777_216 <= p

    def pick(self, items: Sequence[T]) -> T:
        """One of ``items``."""
        pos = self._pos if self._pos <= 232 else 0
        self._pos = pos + 24
        return items[((self._value >> pos) & 0xFFFFFF) * len(items) >> 24]

    def pareto(self, scale: float, alpha: float, cap: float) -> int:
        """A heavy-tailed count: ``scale / U**(1/alpha)``, at most ``cap``."""
        return int(min(cap, scale / self.unit() ** (1.0 / alpha)))


def h32(seed: int, *key: object) -> int:
    """A 32-bit keyed hash."""
    digest = blake2b(repr((seed, *key)).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big")


def h32_text(text: str) -> int:
    """:func:`h32` of a key already written as ``repr((seed, *key))`` (hot paths build that
    text from a precomputed prefix; ``tests/emulator/test_world.py`` checks they agree)."""
    return int.from_bytes(blake2b(text.encode(), digest_size=4).digest(), "big")


def key_prefix(seed: int, *key: object) -> str:
    """``repr((seed, *key, x))`` without ``x)``: append ``f"{x})"`` for an int ``x``."""
    return repr((seed, *key, 0))[:-2]
