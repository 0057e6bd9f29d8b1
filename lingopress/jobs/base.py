"""What every job shares: how a stage is mapped over its inputs, and the site article."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ..config import Config
from ..errors import LingopressError
from ..ingest import Article
from ..site import site_article

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


def site_of(config: Config) -> Article | None:
    """The project's site texts as an article (lingopress.site), None when it has none."""
    return site_article(config.publish, config.config_path)
