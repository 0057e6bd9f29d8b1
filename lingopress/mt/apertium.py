"""Apertium, the rule-based engine, for the pairs it has (Debian: apertium-fr-es, …).

One `apertium` process translates every unit of a call (units separated by blank
lines, which Apertium's text format keeps). Its marks for words it does not know
(`*mot`) are taken out of the text and reported, so the draft's comment can list them.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError
from .base import Draft, finish, note_lines
from .placeholders import has_words, protect
from .progress import track

log = logging.getLogger(__name__)

TIMEOUT_S = 600
# Units per apertium process: big enough that start-up is noise, small enough for progress.
UNITS_PER_CALL = 500
# Unknown word (*), unknown in generation (#), transfer error (@), glued to the word.
_MARK = re.compile(r"(?<![\w*#@])[*#@](\w[\w'’-]*)")
_UNIT_SEPARATOR = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class ApertiumOutput:
    text: str
    unknown: tuple[str, ...]


def apertium_command() -> str | None:
    return shutil.which("apertium")


def available_pairs(data_dir: Path | None = None) -> list[str]:
    """Translation directions Apertium has here, e.g. ["es-fr", "fr-es"]."""
    command = apertium_command()
    if command is None:
        return []
    args = [command] + (["-d", str(data_dir)] if data_dir else []) + ["-l"]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    return sorted(line.strip() for line in result.stdout.splitlines() if line.strip())


def require_pair(source: str, target: str, data_dir: Path | None = None) -> str:
    """The Apertium mode for source→target, or a ModelError saying what to install."""
    pair = f"{source}-{target}"
    if apertium_command() is None:
        raise ModelError("apertium is not installed",
                         hint=f"install it (Debian: apt-get install apertium apertium-{pair}) "
                              f"or choose another engine for {target} in [engines]")
    pairs = available_pairs(data_dir)
    if pair not in pairs:
        have = ", ".join(pairs) or "none"
        raise ModelError(f"apertium has no {source}→{target} pair (installed: {have})",
                         hint=f"install apertium-{pair} (Debian) or choose another engine for "
                              f"{target} in [engines]")
    return pair


def pair_version(pair: str) -> str:
    """The Debian package version of a pair's data, when dpkg knows it; "" otherwise."""
    if shutil.which("dpkg-query") is None:
        return ""
    result = subprocess.run(["dpkg-query", "-W", "-f=${Version}", f"apertium-{pair}"],
                            capture_output=True, text=True, timeout=30)
    return result.stdout.strip() if result.returncode == 0 else ""


class ApertiumTranslator:
    def __init__(self, pair: str, data_dir: Path | None = None) -> None:
        self.pair = pair
        self.data_dir = data_dir
        version = pair_version(pair)
        self.label = f"{pair} {version}".strip()

    def translate_units(self, texts: Sequence[str]) -> list[ApertiumOutput]:
        """Translate units (one line each) in one apertium call; fall back to one call per
        unit if the output does not split back into as many units."""
        if not texts:
            return []
        outputs = self._run("\n\n".join(texts))
        parts = _UNIT_SEPARATOR.split(outputs.strip("\n"))
        if len(parts) != len(texts):
            log.warning("apertium %s merged or split units; translating them one by one", self.pair)
            parts = [self._run(text).strip("\n") for text in texts]
        return [_unmark(part) for part in parts]

    def _run(self, text: str) -> str:
        command = apertium_command()
        if command is None:
            raise ModelError("apertium is not installed", hint="apt-get install apertium")
        args = [command] + (["-d", str(self.data_dir)] if self.data_dir else []) + ["-f", "txt", self.pair]
        result = subprocess.run(args, input=text + "\n", capture_output=True, text=True,
                                timeout=TIMEOUT_S)
        if result.returncode != 0:
            raise ModelError(f"apertium {self.pair} failed: {result.stderr.strip()[:200]}")
        return result.stdout


def _unmark(text: str) -> ApertiumOutput:
    unknown = tuple(dict.fromkeys(match.group(1) for match in _MARK.finditer(text)))
    return ApertiumOutput(_MARK.sub(r"\1", text).strip(), unknown)


class ApertiumEngine:
    """Units in, drafts out; Apertium's unknown-word marks become a note, not text."""

    def __init__(self, translator: ApertiumTranslator) -> None:
        self.translator = translator
        self.provenance = f"apertium {translator.label}"

    def translate(self, texts: Sequence[str]) -> list[Draft]:
        protected = [protect(text) for text in texts]
        todo = [p.text for p in protected if has_words(p.text)]
        done: list[ApertiumOutput] = []
        with track(f"drafting {self.translator.pair.replace('-', '→')}", len(todo)) as advance:
            for start in range(0, len(todo), UNITS_PER_CALL):
                chunk = todo[start:start + UNITS_PER_CALL]
                done.extend(self.translator.translate_units(chunk))
                advance(len(chunk))
        outputs = iter(done)
        drafts = []
        for p in protected:
            if not has_words(p.text):
                drafts.append(finish(p, p.text))
                continue
            output = next(outputs)
            notes = note_lines("unknown to apertium", output.unknown)
            drafts.append(finish(p, output.text, notes))
        return drafts
