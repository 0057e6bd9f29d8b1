"""Machine drafting engines: Argos packages on CTranslate2 (direct or through a pivot
language) and Apertium; chosen per locale in lingopress.toml.

    engine = open_engine(config, "de")        # None when the locale's engine is "none"
    drafts = engine.translate(["Du **gras**."])  # [Draft(text=..., notes=(...))]
"""

from __future__ import annotations

from ..config import Config
from ..models import language_of, require_route
from .base import Draft, Engine

__all__ = ["Draft", "Engine", "check_engine", "open_engine"]


def open_engine(config: Config, locale: str) -> Engine | None:
    """The engine configured for a locale, loaded; None when drafts stay empty."""
    name = config.engine_for(locale)
    if name == "none":
        return None
    source, target = language_of(config.source_locale), language_of(locale)
    if name == "apertium":
        from .apertium import ApertiumEngine, ApertiumTranslator, require_pair

        pair = require_pair(source, target, config.apertium.data_dir)
        return ApertiumEngine(ApertiumTranslator(pair, config.apertium.data_dir))
    from .argos import ArgosEngine, load_translator, resolve_runtime
    from .pivot import PivotTranslator

    route = require_route(config.argos, config.source_locale, locale)
    runtime = resolve_runtime(config.argos)
    legs = [load_translator(model, runtime) for model in route]
    translator = legs[0] if len(legs) == 1 else PivotTranslator(legs)
    return ArgosEngine(translator, source=source, target=target)


def check_engine(config: Config, locale: str) -> str:
    """Fail early (before any file is written) when a locale's engine cannot run; say
    which engine and model will draft it."""
    name = config.engine_for(locale)
    if name == "none":
        return "none"
    source, target = language_of(config.source_locale), language_of(locale)
    if name == "apertium":
        from .apertium import require_pair

        return f"apertium {require_pair(source, target, config.apertium.data_dir)}"
    route = require_route(config.argos, config.source_locale, locale)
    if len(route) == 1:
        return f"argos {route[0].label}"
    codes = "→".join([route[0].from_code] + [model.to_code for model in route])
    return f"argos {codes} ({' + '.join(model.label for model in route)})"
