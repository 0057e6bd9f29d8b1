from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from lingopress.config import load_config
from lingopress.errors import ConfigError


def test_repo_config_targets_the_four_sample_locales():
    config = load_config(REPO)
    assert config.source_locale == "fr"
    assert config.target_locales == ("en", "es", "de", "ar")
    assert config.engine == "argos"
    assert config.catalog_path("en", "immunotherapie") == REPO / "translations/en/immunotherapie.po"
    assert config.template_path("x") == REPO / "translations/templates/x.pot"


def test_command_line_overrides_locales_and_engine():
    config = load_config(REPO, locales=["en", "de", "pt-BR"], engine="none")
    assert config.target_locales == ("en", "de", "pt_BR")
    assert config.engine == "none"


def test_unknown_locale_in_file_names_file_and_line(tmp_path: Path):
    (tmp_path / "lingopress.toml").write_text('source_locale = "fr"\n\ntarget_locales = ["en", "xx"]\n')
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert "lingopress.toml:3: unknown locale code 'xx'" in str(err.value)


def test_unknown_locale_on_command_line():
    with pytest.raises(ConfigError, match=r"--locales: unknown locale code 'zz'"):
        load_config(REPO, locales=["en", "zz"])


def test_source_locale_cannot_be_a_target():
    with pytest.raises(ConfigError, match="is the source locale"):
        load_config(REPO, locales=["fr"])


@pytest.mark.parametrize("text, message", [
    ('engine = "google"\n', "unknown engine 'google'"),
    ('target_locales = "en"\n', "target_locales must be a non-empty list"),
    ("target_locales = [\n", "invalid TOML"),
    ('[ingest]\ntranslatable_fields = ["title"]\n', "translatable_fields: summary must be translated"),
    ('[ingest]\ntranslatable_fields = ["title", "summary", "slug"]\n', "slug is reserved"),
    ('[ingest]\ntranslatable_fields = "tags"\n', "must be a list of front-matter field names"),
    ('[publish]\ndisclaimer = 3\n', "publish.disclaimer must be text"),
])
def test_bad_settings_are_reported(tmp_path: Path, text: str, message: str):
    (tmp_path / "lingopress.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path)


def test_translatable_fields_default_and_disclaimer(tmp_path: Path):
    assert load_config(REPO).ingest.translatable_fields == ("title", "summary", "tags")
    (tmp_path / "lingopress.toml").write_text('[ingest]\ntranslatable_fields = ["title", "summary", "note"]\n\n'
                                              '[publish]\ndisclaimer = """Texte\n  sur deux lignes."""\n')
    config = load_config(tmp_path)
    assert config.ingest.translatable_fields == ("title", "summary", "note")
    assert (config.publish.disclaimer, config.publish.disclaimer_line) == ("Texte sur deux lignes.", 5)


def test_missing_config_says_what_to_do(tmp_path: Path):
    with pytest.raises(ConfigError, match="no lingopress.toml here.*--project"):
        load_config(tmp_path)


def test_engines_per_locale_and_argos_runtime_settings(tmp_path: Path):
    (tmp_path / "lingopress.toml").write_text(
        'target_locales = ["en", "es", "pt-BR"]\nengine = "argos"\n\n[engines]\nes = "apertium"\n'
        'pt-BR = "none"\n\n[argos]\ndevice = "cuda"\ncompute_type = "int8_float16"\nthreads = 4\n'
        'max_batch_tokens = 8192\npivot = ""\n')
    config = load_config(tmp_path)
    assert [config.engine_for(code) for code in ("en", "es", "pt_BR")] == ["argos", "apertium", "none"]
    assert (config.argos.device, config.argos.compute_type, config.argos.threads,
            config.argos.max_batch_tokens, config.argos.pivot) == ("cuda", "int8_float16", 4, 8192, "")
    # --engine on the command line applies to every locale.
    assert load_config(tmp_path, engine="none").engine_for("es") == "none"


@pytest.mark.parametrize("text, message", [
    ('[engines]\nes = "deepl"\n', "lingopress.toml:2: unknown engine 'deepl' for locale 'es'"),
    ('[engines]\nxx = "argos"\n', "lingopress.toml:2: unknown locale code 'xx'"),
    ('[argos]\ndevice = "tpu"\n', "lingopress.toml:2: argos.device: invalid value 'tpu'"),
    ('[argos]\nthreads = -1\n', "argos.threads: invalid value -1"),
    ('[argos]\nmax_batch_tokens = "big"\n', "argos.max_batch_tokens: invalid value 'big'"),
    ('[argos]\nbeam_size = 0\n', "argos.beam_size: invalid value 0"),
])
def test_bad_engine_settings_name_file_and_line(tmp_path: Path, text: str, message: str):
    (tmp_path / "lingopress.toml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert message in str(err.value)
