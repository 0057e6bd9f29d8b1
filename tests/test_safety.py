"""Translator work survives crashes, concurrent runs, broken files and tool changes."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polib
import pytest
from conftest import ISOLATED_ENV, REPO, make_project, msgfmt_check, run_cli

from lingopress.store.files import read_catalog, write_catalog
from support.project import load_articles, update_locale
from lingopress.config import load_config
from lingopress.draft import open_engine

FRONT = '---\ntitle: "{slug}"\nslug: {slug}\ndate: 2026-01-01\nsummary: "Résumé {slug}."\n---\n\n'


def content(po: polib.POFile) -> list:
    """A catalog's content, without the header dates a run stamps when it writes."""
    metadata = {k: v for k, v in po.metadata.items() if not k.endswith("Date")}
    return [sorted(metadata.items())] + [
        (e.msgctxt, e.msgid, e.msgstr, sorted(e.flags), e.comment, e.tcomment, e.obsolete,
         e.previous_msgid, e.occurrences) for e in po]


def catalogs(project: Path) -> list[Path]:
    """The PO and POT files (not the temp files an interrupted write leaves beside them)."""
    return sorted(p for p in (project / "translations").rglob("*.po*") if p.suffix in (".po", ".pot"))


def snapshot(project: Path) -> dict[str, list]:
    return {str(p.relative_to(project)): content(read_catalog(p)) for p in catalogs(project)}


def many_articles_project(root: Path, copies: int) -> Path:
    """The sample articles, several times under distinct slugs, so a run writes many files."""
    sources = {}
    for path in sorted((REPO / "sources").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        slug = path.stem
        for copy in range(copies):
            sources[f"{slug}-{copy}.md"] = text.replace(f"slug: {slug}", f"slug: {slug}-{copy}")
    return make_project(root, locales=("en", "ar"), sources=sources)


def test_kill_minus_nine_at_random_moments_never_corrupts_and_reruns_converge(tmp_path, installed_models):
    worker = [sys.executable, str(Path(__file__).with_name("crash_worker.py"))]
    env = {**os.environ, **ISOLATED_ENV, "PYTHONPATH": os.pathsep.join(sys.path)}

    def start(project: Path) -> subprocess.Popen:
        process = subprocess.Popen(worker + [str(project)], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
        assert process.stdout.readline().strip() == b"ready"  # imports done, the run has begun
        return process

    reference = many_articles_project(tmp_path / "reference", copies=3)
    process = start(reference)
    started = time.monotonic()
    assert process.wait(timeout=300) == 0
    duration = time.monotonic() - started
    expected = snapshot(reference)
    assert len(expected) == 2 * 3 * 2 + 2 * 3  # catalogs + templates

    rng = random.Random(20261127)
    project = many_articles_project(tmp_path / "crash", copies=3)

    def full_run() -> float:
        process = start(project)
        began = time.monotonic()
        assert process.wait(timeout=300) == 0
        return time.monotonic() - began

    # Kill moments are drawn within the shortest full run seen so far: the first run of a
    # process tree is slower (cold caches), and a kill after the end would test nothing.
    duration = min(duration, full_run())
    trials = killed = 0
    while killed < 24 and trials < 40:
        trials += 1
        for path in (project / "translations").rglob("*.po"):
            path.unlink()  # every trial starts a full run, so the kill lands inside it
        shutil.rmtree(project / ".lingopress", ignore_errors=True)  # no unit skipped as unchanged
        process = start(project)
        began = time.monotonic()
        time.sleep(rng.uniform(0, duration * 0.8))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        else:
            duration = min(duration, time.monotonic() - began)
        process.wait()
        for path in catalogs(project):
            check = msgfmt_check(path)
            assert check.returncode == 0, f"trial {trials}: {path}: {check.stderr}"
            read_catalog(path)
        if trials % 4 == 0:
            # A run after a crash converges to what an uninterrupted run produces.
            duration = min(duration, full_run())
            assert snapshot(project) == expected
            assert not list((project / "translations").rglob("*.tmp"))
    print(f"kill -9 trials: {killed} of {trials} killed mid-run, all catalogs valid, reruns converged")
    assert killed >= 20, f"only {killed} of {trials} trials were killed mid-run"
    full_run()
    assert snapshot(project) == expected


def test_second_run_waits_for_the_lock_then_fails_clearly(tmp_path: Path):
    project = make_project(tmp_path, engine="none")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from filelock import FileLock; "
         "lock = FileLock(sys.argv[1]); lock.acquire(); print('held', flush=True); time.sleep(60)",
         str(project / ".lingopress.lock")], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"held"
        started = time.monotonic()
        result = run_cli("draft", "--lock-timeout", "2", cwd=project)
        waited = time.monotonic() - started
        assert result.returncode == 2, result.stderr
        assert "another lingopress run is working on this project; waited 2 s" in result.stderr
        assert waited >= 2
        assert not (project / "translations").exists()
    finally:
        holder.kill()
        holder.wait()
    # Once the holder is gone (even killed), the lock is free.
    assert run_cli("ingest", cwd=project).returncode == 0


def test_two_concurrent_runs_are_serialised(tmp_path: Path):
    project = make_project(tmp_path, engine="none")
    runs = [subprocess.Popen([sys.executable, "-m", "lingopress.cli", "draft"], cwd=project,
                             env={**os.environ, **ISOLATED_ENV, "COLUMNS": "200"}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    # The summary's row for the locale (plain layout: stdout is not a terminal): "en  2/2  …"
    updated = [re.search(r"^\S+ +2/2 ", out, re.MULTILINE) is not None for out, _ in outputs]
    assert sorted(updated) == [False, True], "exactly one run wrote; the other found nothing to do"
    for path in (project / "translations").rglob("*.po"):
        assert msgfmt_check(path).returncode == 0


BROKEN = {
    "syntax error": lambda text: text.replace('msgstr ""', 'msgstr "oops', 1),
    "duplicate msgid": lambda text: text + '\nmsgctxt "title"\nmsgid "a"\nmsgstr ""\n\nmsgctxt "title"\nmsgid "a"\nmsgstr ""\n',
    "wrong Plural-Forms": lambda text: text.replace("nplurals=2; plural=(n != 1);", "nplurals=3; plural=(n > 1);"),
    "undeclared Latin-1": lambda text: text.replace("Titre", "Tïtre"),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_catalog_fails_alone_and_is_never_rewritten(tmp_path: Path, kind: str):
    project = make_project(tmp_path, locales=("en",), engine="none", sources={
        "a.md": FRONT.format(slug="a") + "# Titre\n\nTexte a.\n",
        "b.md": FRONT.format(slug="b") + "Texte b.\n"})
    config = load_config(project)
    update_locale(config, "en", load_articles(config), None)
    broken = config.catalog_path("en", "a")
    text = BROKEN[kind](broken.read_text(encoding="utf-8"))
    broken.write_bytes(text.encode("latin-1" if kind == "undeclared Latin-1" else "utf-8"))
    before = broken.read_bytes()
    (project / "sources" / "a.md").write_text(FRONT.format(slug="a") + "# Titre\n\nTexte a modifié.\n")
    (project / "sources" / "b.md").write_text(FRONT.format(slug="b") + "Texte b modifié.\n")
    report = update_locale(config, "en", load_articles(config), None)
    assert list(report.failures) == ["a"]
    assert report.failures["a"].startswith(f"{broken}:") or ":" in report.failures["a"]
    assert broken.read_bytes() == before
    assert read_catalog(config.catalog_path("en", "b")).find("Texte b modifié.") is not None


def test_cli_run_with_a_broken_catalog_exits_nonzero_and_marks_only_that_unit(tmp_path: Path):
    project = make_project(tmp_path, locales=("en", "ar"), engine="none")
    assert run_cli("draft", cwd=project).returncode == 0
    broken = project / "translations" / "en" / "immunotherapie.po"
    lines = broken.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith('msgstr ""') and i > 20)
    lines[index] = 'msgstr "unterminated\n'
    broken.write_text("".join(lines), encoding="utf-8")
    before = broken.read_bytes()
    source = project / "sources" / "immunomodulation.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nUn paragraphe ajouté.\n", encoding="utf-8")
    result = run_cli("run", cwd=project)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"translations/en/immunotherapie.po:{index + 1}: malformed line" in output
    assert "Task run 'draft-en-immunotherapie' - Finished in state Failed" in output
    for other in ("draft-en-immunomodulation", "draft-ar-immunomodulation", "publish-en", "publish-ar"):
        assert f"Task run '{other}' - Finished in state Completed()" in output
    # ar/immunotherapie: same source and catalog as after the draft run, skipped as unchanged.
    assert "draft-ar-immunotherapie" not in output
    assert "ar: 1 units to update, 1 unchanged since their last update (skipped)" in output
    assert "Traceback" not in output
    assert broken.read_bytes() == before
    for locale in ("en", "ar"):
        catalog = read_catalog(project / "translations" / locale / "immunomodulation.po")
        assert catalog.find("Un paragraphe ajouté.") is not None


def test_cli_run_reports_unusable_charsets_and_unreadable_paths_and_updates_the_rest(tmp_path: Path):
    slugs = ("rot", "utf7", "folder", "good")
    project = make_project(tmp_path, locales=("en",), engine="none", sources={
        f"{slug}.md": FRONT.format(slug=slug) + f"# Titre {slug}\n\nTexte {slug}.\n" for slug in slugs})
    assert run_cli("run", "--engine", "none", cwd=project).returncode == 0
    en = project / "translations" / "en"
    rot, utf7, folder = en / "rot.po", en / "utf7.po", en / "folder.po"
    rot.write_text(rot.read_text(encoding="utf-8").replace("charset=UTF-8", "charset=rot13"), encoding="utf-8")
    # A lone surrogate in UTF-7: decodable, but no UTF-8 can hold it.
    utf7.write_bytes(utf7.read_bytes().replace(b"charset=UTF-8", b"charset=UTF-7")
                     .replace(b'msgstr ""\n\n', b'msgstr "+2D0-"\n\n', 2))
    folder.unlink()
    folder.mkdir()
    before = {path: path.read_bytes() for path in (rot, utf7)}
    for slug in slugs:
        source = project / "sources" / f"{slug}.md"
        source.write_text(source.read_text(encoding="utf-8") + "\nUn paragraphe ajouté.\n", encoding="utf-8")
    result = run_cli("run", "--engine", "none", cwd=project)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    header_line = 1 + next(n for n, line in enumerate(before[rot].decode().splitlines()) if "charset=" in line)
    assert (f"translations/en/rot.po:{header_line}: charset 'rot13' in the Content-Type header cannot be "
            "used for a PO file") in output
    assert f"translations/en/utf7.po:{header_line}: charset 'UTF-7' in the Content-Type header" in output
    assert "translations/en/folder.po: cannot read catalog: Is a directory" in output
    assert "Traceback" not in output and "LookupError" not in output and "UnicodeEncodeError" not in output
    for slug in ("rot", "utf7", "folder"):
        assert f"Task run 'draft-en-{slug}' - Finished in state Failed" in output
    assert "Task run 'draft-en-good' - Finished in state Completed()" in output
    assert "Task run 'publish-en' - Finished in state Completed()" in output
    assert {path: path.read_bytes() for path in (rot, utf7)} == before and folder.is_dir()
    assert read_catalog(en / "good.po").find("Un paragraphe ajouté.") is not None


def test_rerun_leaves_git_clean_even_after_another_tool_rewrapped_the_files(tmp_path: Path, installed_models):
    project = make_project(tmp_path, locales=("en", "ar"))
    config = load_config(project)

    def run() -> None:
        articles = load_articles(config)
        from support.project import write_templates

        write_templates(config, articles)
        for locale in config.target_locales:
            update_locale(config, locale, articles, open_engine(config, locale))

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, text=True,
                              env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                                   "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}).stdout

    run()
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "first run")
    time.sleep(1.1)
    run()
    assert git("status", "--porcelain") == ""
    # A translator approves an entry and saves with a tool that wraps lines differently.
    path = config.catalog_path("en", "immunotherapie")
    catalog = polib.pofile(str(path), wrapwidth=120)
    catalog[2].msgstr, catalog[2].flags = "Approved by Ana", []
    catalog.metadata["X-Generator"] = "Poedit 3.4"
    catalog.save(str(path))
    git("commit", "-qam", "translator")
    saved = path.read_bytes()
    run()
    assert git("status", "--porcelain") == ""
    assert path.read_bytes() == saved


def test_approved_translations_survive_a_model_change_byte_for_byte(tmp_path: Path, model_files):
    from support.tiny_argos import build_argos_package

    from lingopress.models import install_file

    project = make_project(tmp_path / "p", locales=("en",))
    toml = project / "lingopress.toml"
    toml.write_text(toml.read_text() + 'packages_dir = "models"\n')
    config = load_config(project)
    install_file(config.argos, model_files["en"])
    articles = load_articles(config)
    update_locale(config, "en", articles, open_engine(config, "en"))
    path = config.catalog_path("en", "immunotherapie")
    catalog = read_catalog(path)
    approved = {}
    for entry in catalog[::3]:
        entry.msgstr, entry.flags = f"Human: « {entry.msgid} » \\ \"ok\"", []
        approved[(entry.msgctxt, entry.msgid)] = entry.msgstr
    write_catalog(catalog, path)
    drafts = {(e.msgctxt, e.msgid): e.msgstr for e in catalog if "fuzzy" in e.flags}

    newer = build_argos_package(tmp_path / "newer", from_code="fr", to_code="en", package_version="2.0",
                                corpus=[a.text for a in articles], seed=7)
    shutil.rmtree(config.argos.packages_dir)
    install_file(config.argos, newer)
    engine = open_engine(config, "en")
    assert engine.provenance == "argos translate-fr_en 2.0"
    update_locale(config, "en", articles, engine)
    after = read_catalog(path)
    for (msgctxt, msgid), msgstr in approved.items():
        entry = after.find(msgid, msgctxt=msgctxt)
        assert entry.msgstr.encode() == msgstr.encode() and "fuzzy" not in entry.flags
    for (msgctxt, msgid), msgstr in drafts.items():
        assert after.find(msgid, msgctxt=msgctxt).msgstr == msgstr
