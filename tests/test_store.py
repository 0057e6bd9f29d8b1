"""The project store: digests known from `stat`, the article parse cache, atomic writes that
happen only on change; and the one content-hash skip wrapper."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from conftest import make_project
from lingopress.config import load_config
from lingopress.skip import Skipped, skipping
from lingopress.store import digests
from lingopress.store.digests import DigestCache
from lingopress.store.project import ProjectStore


def test_a_digest_is_trusted_from_stat_and_taken_again_when_the_file_changes(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(digests, "RACY_S", 0.0)
    path = tmp_path / "a.po"
    path.write_text("one", encoding="utf-8")
    cache = DigestCache(tmp_path, tmp_path / "cache.json")
    first = cache.digest(path)
    cache.save(lambda target, text: target.write_text(text, encoding="utf-8"))
    reads: list[Path] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or real(self))
    again = DigestCache(tmp_path, tmp_path / "cache.json")
    assert again.digest(path) == first and reads == []  # known from its stat: not read
    path.write_text("two", encoding="utf-8")  # same size, new mtime and ctime
    assert again.digest(path) != first and reads == [path]
    path.unlink()
    assert again.digest(path) == digests.MISSING


@pytest.mark.parametrize("racy_s, trusted", [(0.0, True), (digests.RACY_S, False)])
def test_a_digest_taken_just_after_the_file_changed_is_not_trusted(tmp_path: Path, monkeypatch, racy_s, trusted):
    """Racy git: on a file system whose clock is coarser than the edits, a file edited again
    just after it was hashed keeps its stat (simulated here: size and mtime only)."""
    monkeypatch.setattr(digests, "RACY_S", racy_s)
    monkeypatch.setattr(digests, "_stat_key", lambda stat: [stat.st_size, stat.st_mtime_ns])
    path = tmp_path / "a.po"
    path.write_text("one", encoding="utf-8")
    cache = DigestCache(tmp_path, tmp_path / "cache.json")
    first = cache.digest(path)
    stat = path.stat()
    path.write_text("two", encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the same tick as when hashed
    assert (cache.digest(path) == first) is trusted  # without the rule, the old digest
    if not trusted:
        assert cache.digest(path) == hashlib.sha256(b"two").hexdigest()


def test_the_store_writes_only_changes_and_parses_each_article_once(tmp_path: Path, monkeypatch):
    project = make_project(tmp_path / "project", locales=("en",), engine="none")
    store = ProjectStore(load_config(project))
    page = project / "outputs" / "x.html"
    with store.locked():
        assert store.write_page(page, "<p>1</p>")
        mtime = page.stat().st_mtime_ns
        assert not store.write_page(page, "<p>1</p>") and page.stat().st_mtime_ns == mtime
        articles = store.articles()
    # Ignored by git from the start: the run's bookkeeping is never versioned.
    assert (project / ".lingopress" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    import lingopress.store.project as module

    parsed: list[Path] = []
    real = module.parse_article
    monkeypatch.setattr(module, "parse_article", lambda path, text, **kw: parsed.append(path) or real(path, text, **kw))
    again = ProjectStore(load_config(project)).articles()
    assert again == articles and parsed == []  # rebuilt from the cache, equal in every field
    source = project / "sources" / "immunotherapie.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nUne phrase de plus.\n", encoding="utf-8")
    changed = ProjectStore(load_config(project)).articles()
    assert parsed == [source] and changed != articles


def test_a_damaged_cache_costs_a_parse_never_a_wrong_article(tmp_path: Path):
    project = make_project(tmp_path / "project", locales=("en",), engine="none")
    articles = ProjectStore(load_config(project)).articles()
    cache = project / ".lingopress" / "state" / "articles.json"
    data = json.loads(cache.read_text(encoding="utf-8"))
    for entry in data["articles"].values():
        entry["segments"] = "not a list"
    cache.write_text(json.dumps(data), encoding="utf-8")
    assert ProjectStore(load_config(project)).articles() == articles
    cache.write_text("{broken", encoding="utf-8")
    assert ProjectStore(load_config(project)).articles() == articles



def test_memory_is_kept_by_catalog_digest_and_a_changed_catalog_is_read_again(tmp_path: Path, monkeypatch):
    import polib

    import lingopress.store.project as module

    project = make_project(tmp_path / "project", locales=("en",), engine="none")
    store = ProjectStore(load_config(project))
    with store.locked():
        slugs = [article.slug for article in store.articles()]
        for slug in slugs:
            catalog = polib.POFile()
            catalog.metadata = {"Language": "en", "Content-Type": "text/plain; charset=UTF-8"}
            catalog.append(polib.POEntry(msgid=f"Bonjour {slug}", msgstr=f"Hello {slug}"))
            catalog.append(polib.POEntry(msgid="Brouillon", msgstr="Draft", flags=["fuzzy"]))
            store.save_catalog_text("en", slug, str(catalog))
        first = store.memory("en", slugs)
    assert len(first) == len(slugs) and first.exact(None, "Brouillon") is None  # fuzzy never joins

    parsed: list[Path] = []
    real = module.parse_catalog
    monkeypatch.setattr(module, "parse_catalog", lambda data, path, **kw: parsed.append(path) or real(data, path, **kw))
    monkeypatch.setattr(digests, "RACY_S", 0.0)  # the files were written just now
    again = ProjectStore(load_config(project)).memory("en", slugs)
    assert again.digest() == first.digest() and parsed == []  # every catalog known by its digest

    changed = project / "translations" / "en" / f"{slugs[0]}.po"
    changed.write_text(changed.read_text(encoding="utf-8").replace(f"Hello {slugs[0]}", "Hi"), encoding="utf-8")
    after = ProjectStore(load_config(project)).memory("en", slugs)
    assert parsed == [changed] and after.exact(None, f"Bonjour {slugs[0]}").msgstr == "Hi"

    cache = project / ".lingopress" / "state" / "memory-en.json"
    data = json.loads(cache.read_text(encoding="utf-8"))
    for entry in data["catalogs"].values():
        entry["memories"] = [["not", "a", "memory"]]
    cache.write_text(json.dumps(data), encoding="utf-8")
    assert ProjectStore(load_config(project)).memory("en", slugs).digest() == after.digest()



def test_drafting_tells_the_store_what_each_catalog_it_wrote_gives_the_memory(tmp_path: Path, monkeypatch):
    from support.project import update_locale, write_templates

    import lingopress.store.project as module

    project = make_project(tmp_path / "project", locales=("en",), engine="none")
    config = load_config(project)
    articles = ProjectStore(config).articles()
    write_templates(config, articles)
    update_locale(config, "en", articles, None)
    slug = articles[0].slug
    path = project / "translations" / "en" / f"{slug}.po"
    text = path.read_text(encoding="utf-8")
    # A translator approves one entry: the next draft of that catalog keeps it, approved.
    first = text.index('msgstr ""\n\n', text.index("msgid \"", text.index("\n\n")))
    path.write_text(text[:first] + 'msgstr "Approved by a translator"\n\n' + text[first + len('msgstr ""\n\n'):],
                    encoding="utf-8")
    source = project / "sources" / f"{slug}.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nUne phrase de plus.\n", encoding="utf-8")
    update_locale(config, "en", ProjectStore(config).articles(), None)

    parsed: list[Path] = []
    real = module.parse_catalog
    monkeypatch.setattr(module, "parse_catalog", lambda data, path, **kw: parsed.append(path) or real(data, path, **kw))
    monkeypatch.setattr(digests, "RACY_S", 0.0)
    memory = ProjectStore(config).memory("en", [article.slug for article in articles])
    assert parsed == []  # every catalog was written by drafting, which said what it gives
    found = [m for m in (memory.exact(None, m) for m in memory._sources) if m is not None]
    assert [m.msgstr for m in found] == ["Approved by a translator"]
    # Identical, line numbers included, to what parsing every catalog afresh gives.
    (project / ".lingopress" / "state" / "memory-en.json").unlink()
    assert ProjectStore(config).memory("en", [article.slug for article in articles]).digest() == memory.digest()
    assert len(parsed) == len(articles)


class Records(dict):
    def records(self, stage: str, locale: str) -> dict:
        return dict(self.get((stage, locale), {}))

    def save_records(self, stage: str, locale: str, records) -> bool:
        self[(stage, locale)] = dict(records)
        return True


def test_skipping_runs_only_changed_units_and_remembers_only_successes():
    inputs = {"a": "1", "b": "1", "c": "1"}
    calls: list[list[str]] = []

    def stage(todo: list[str]) -> dict:
        calls.append(todo)
        return {unit: (None if unit == "c" else {"out": inputs[unit]}) for unit in todo}

    records = Records()
    first = skipping(records, "s", "en", inputs, inputs.get, stage)
    assert calls == [["a", "b", "c"]] and first.done == ["a", "b"] and first.failed == ["c"]
    inputs["b"] = "2"
    second = skipping(records, "s", "en", inputs, inputs.get, stage)
    assert calls[-1] == ["b", "c"] and second.skipped == ["a"]  # c failed: tried again
    assert second.payloads["a"] == {"out": "1"} and second.payloads["b"] == {"out": "2"}
    third = skipping(records, "s", "en", ["a"], inputs.get, stage)  # b and c gone
    assert third.skipped == ["a"] and set(records[("s", "en")]) == {"a"}
    refused = skipping(records, "s", "en", ["a"], inputs.get, stage, reusable=lambda record: False)
    assert refused.done == ["a"] and isinstance(refused, Skipped)


def test_a_stage_that_raises_records_nothing():
    records = Records()

    def broken(todo: list[str]) -> dict:
        raise RuntimeError("disk")

    with pytest.raises(RuntimeError):
        skipping(records, "s", "en", ["a"], lambda unit: "1", broken)
    assert records == {}
