"""The tiny offline Argos package: built here, installed and run by argostranslate in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support.tiny_argos import isolated_argos_env

REPO_ROOT = Path(__file__).resolve().parents[1]

# Used only when neither sources/*.md nor the shared seeds are present.
_FALLBACK_CORPUS = [
    "L'immunothérapie est un type de traitement médical qui utilise le système immunitaire.",
    "Elle aide l'organisme à lutter contre les maladies, y compris le cancer.",
    "Les cellules immunitaires reconnaissent et attaquent les cellules anormales.",
]

SENTENCES = [
    "L'immunothérapie est un type de traitement médical.",
    "Le système immunitaire lutte contre les maladies, y compris le cancer.",
]


def corpus_texts() -> list[str]:
    """French training text: the project's sources/*.md, else the shared seeds, else a few sentences."""
    candidates = [
        sorted((REPO_ROOT / "sources").glob("*.md")),
        sorted((REPO_ROOT.parent / "shared" / "seeds").glob("*.txt")),
        sorted(Path("/work/shared/seeds").glob("*.txt")),
    ]
    for paths in candidates:
        if paths:
            return [path.read_text(encoding="utf-8") for path in paths]
    return list(_FALLBACK_CORPUS)


def isolated_env(root: Path) -> dict[str, str]:
    """An argostranslate-safe environment (every folder under root) that can import lingopress and the test support."""
    env = isolated_argos_env(root)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), str(REPO_ROOT / "tests"),
                                                      os.environ.get("PYTHONPATH")]))
    return env


_BUILD = r"""
import json, sys
from pathlib import Path
from support.tiny_argos import build_argos_package

dest = Path(sys.argv[1])
corpus = json.loads((dest / "corpus.json").read_text(encoding="utf-8"))
built = {
    # With spaCy sentence splitting, so argostranslate.translate itself can run.
    "package": build_argos_package(dest / "dist", corpus=corpus, spacy_sbd=True),
    "seed0": build_argos_package(dest / "seed0", corpus=corpus),
    "seed0_again": build_argos_package(dest / "seed0_again", corpus=corpus),
    "seed1": build_argos_package(dest / "seed1", corpus=corpus, seed=1),
}
print(json.dumps({
    "paths": {key: str(path) for key, path in built.items()},
    "argos_modules": sorted(m for m in sys.modules if m.split(".")[0] == "argostranslate"),
}))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Build in a fresh process, which also shows that the builder never imports argostranslate."""
    root = tmp_path_factory.mktemp("tiny_argos")
    (root / "corpus.json").write_text(json.dumps(corpus_texts()), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", _BUILD, str(root)],
        env=isolated_env(root),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["root"] = root
    return report


@pytest.fixture(scope="module")
def package_path(built: dict) -> Path:
    return Path(built["paths"]["package"])


def test_builder_does_not_import_argostranslate(built: dict) -> None:
    assert built["argos_modules"] == []
    root = built["root"]
    assert not (root / "data" / "argos-translate").exists()
    assert not (root / "config" / "argos-translate").exists()


def test_archive_layout_and_metadata(package_path: Path) -> None:
    assert package_path.name == "translate-fr_en-1_9.argosmodel"
    with zipfile.ZipFile(package_path) as archive:
        names = archive.namelist()
        assert {name.split("/")[0] for name in names} == {"translate-fr_en-1_9"}
        top = "translate-fr_en-1_9/"
        for member in (
            "metadata.json",
            "README.md",
            "sentencepiece.model",
            "model/model.bin",
            "model/config.json",
            "model/shared_vocabulary.json",
            "spacy/config.cfg",
            "spacy/meta.json",
            "spacy/tokenizer",
        ):
            assert top + member in names
        metadata = json.loads(archive.read(top + "metadata.json"))
        vocabulary = json.loads(archive.read(top + "model/shared_vocabulary.json"))
        config = json.loads(archive.read(top + "model/config.json"))
        sp_model = archive.read(top + "sentencepiece.model")

    assert metadata["from_code"] == "fr"
    assert metadata["from_name"] == "French"
    assert metadata["to_code"] == "en"
    assert metadata["to_name"] == "English"
    assert metadata["package_version"] == "1.9"
    assert metadata["argos_version"] == "1.9"
    assert metadata["type"] == "translate"

    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    assert vocabulary == [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    assert vocabulary[:3] == ["<unk>", "<s>", "</s>"]
    assert (config["unk_token"], config["bos_token"], config["eos_token"]) == ("<unk>", "<s>", "</s>")


def test_same_inputs_same_weights(built: dict) -> None:
    def model_bin(key: str) -> bytes:
        with zipfile.ZipFile(built["paths"][key]) as archive:
            assert not [name for name in archive.namelist() if "/spacy/" in name]
            return archive.read("translate-fr_en-1_9/model/model.bin")

    assert model_bin("seed0_again") == model_bin("seed0")
    assert model_bin("seed1") != model_bin("seed0")


_INSTALL_AND_TRANSLATE = r"""
import json, sys
import argostranslate.package
import ctranslate2

argostranslate.package.install_from_path(sys.argv[1])
packages = argostranslate.package.get_installed_packages()
pkg = next(p for p in packages if (p.from_code, p.to_code) == ("fr", "en"))
translator = ctranslate2.Translator(str(pkg.package_path / "model"), device="cpu")
sentences = json.loads(sys.argv[2])
tokens = [pkg.tokenizer.encode(sentence) for sentence in sentences]
# The same options argostranslate.translate passes, plus a decoding limit.
results = translator.translate_batch(
    tokens, replace_unknowns=True, beam_size=4, num_hypotheses=4,
    length_penalty=0.2, return_scores=True, max_decoding_length=16,
)
import argostranslate.translate
text = " ".join(sentences) + "\n\n" + sentences[0]
print(json.dumps({
    "translate": argostranslate.translate.translate(text, "fr", "en"),
    "installed": [
        {"from_code": p.from_code, "to_code": p.to_code, "from_name": p.from_name,
         "to_name": p.to_name, "package_version": p.package_version, "dir": p.package_path.name,
         "tokenizer": type(p.tokenizer).__name__}
        for p in packages
    ],
    "tokens": tokens,
    "hypotheses": [r.hypotheses[0] for r in results],
    "outputs": [pkg.tokenizer.decode(r.hypotheses[0]) for r in results],
}))
"""


def test_isolated_env_confines_argostranslate(tmp_path: Path) -> None:
    env = isolated_argos_env(tmp_path, base={"PATH": "/bin", "ARGOS_DEBUG": "1", "SNAP": "/snap/x"})
    assert env["PATH"] == "/bin" and "SNAP" not in env and "ARGOS_DEBUG" not in env
    for key in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "ARGOS_PACKAGES_DIR"):
        assert Path(env[key]).is_relative_to(tmp_path)
    assert env["ARGOS_CHUNK_TYPE"] == "SPACY"


def test_installs_and_translates_with_argostranslate(package_path: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _INSTALL_AND_TRANSLATE, str(package_path), json.dumps(SENTENCES)],
        env=isolated_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert report["installed"] == [
        {
            "from_code": "fr",
            "to_code": "en",
            "from_name": "French",
            "to_name": "English",
            "package_version": "1.9",
            "dir": "translate-fr_en-1_9",
            "tokenizer": "SentencePieceTokenizer",
        }
    ]
    assert (tmp_path / "packages" / "translate-fr_en-1_9" / "model" / "model.bin").is_file()
    assert all(report["tokens"])
    # Every input decodes to exactly output_tokens (default 4) word pieces, then </s>.
    assert [len(h) for h in report["hypotheses"]] == [4, 4]
    assert len(report["outputs"]) == len(SENTENCES)
    for output in report["outputs"]:
        assert isinstance(output, str) and output.strip()
    # argostranslate.translate: two paragraphs, three sentences of four words each.
    paragraphs = report["translate"].split("\n\n")
    assert [len(paragraph.split()) for paragraph in paragraphs] == [8, 4]
