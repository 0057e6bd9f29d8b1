"""What every job shares: how a stage is mapped over its inputs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ..errors import LingopressError

T = TypeVar("T")
R = TypeVar("R")
# Maps a stage over its inputs; a unit's LingopressError is returned in its place (that
# unit failed, the others go on); any other exception is a bug and propagates.
Run = Callable[[Callable[[T], R], Sequence[T]], list]


def in_process(stage: Callable[[T], R], inputs: Sequence[T]) -> list:
    """`Run` in this process, one unit after another."""
    results: list = []
    for item in inputs:
        try:
            results.append(stage(item))
        except LingopressError as err:
            results.append(err)
    return results
