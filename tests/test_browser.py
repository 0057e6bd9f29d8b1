"""Published pages in a real browser: headless Chromium (Debian's `chromium`) over local HTTP.

The pages are pulled from bundles into a site directory, as a publisher would, and
served by http.server on 127.0.0.1. `--dump-dom` prints the DOM after scripts ran; a
control page with a real script proves scripts do run in this harness, so an injected
script that leaves no trace in the translated pages really did not run.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from support.project import build_bundles
from lingopress.publishing.pull import pull
from test_bundles import publish, published_project
from test_publish import approve_all
from test_pull import serve

CHROMIUM = shutil.which("chromium")
# Without the background-networking flags Chromium dials out (updates, field trials), which
# a closed network refuses; --no-sandbox because CI runs as root.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--virtual-time-budget=3000")
PAYLOAD = "<script>document.title='pwned'</script><img src=x onerror=\"document.body.dataset.owned='yes'\">"

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed; scripts/setup.sh installs it (apt-get install chromium)",
                    pytrace=False)
    pytestmark = pytest.mark.skip(reason="chromium is not installed (bash scripts/setup.sh installs it)")


class Dom(HTMLParser):
    def __init__(self, dom: str) -> None:
        super().__init__()
        self.attrs: dict[str, list[dict]] = {}
        self.title = ""
        self.text: list[str] = []
        self._in_title = False
        self.feed(dom)

    def handle_starttag(self, tag, attrs):
        self.attrs.setdefault(tag, []).append(dict(attrs))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        else:
            self.text.append(data)


def browse(profile: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_published_pages_in_headless_chromium(tmp_path: Path):
    config, articles = published_project(tmp_path / "project", locales=("ar", "en"))
    for locale, prefix in (("ar", "ع"), ("en", "EN")):
        approve_all(config.catalog_path(locale, "essai"), lambda e, p=prefix: f"{p} {e.msgid} {PAYLOAD}",
                    qa_ignore="raw-html")
    publish(config, articles)
    build_bundles(config)
    site = tmp_path / "site"
    for locale in ("fr", "ar", "en"):
        pull(str(config.outputs_dir), locale, site / locale)
    (site / "control.html").write_text(
        f"<!DOCTYPE html><html><head><title>control</title></head><body><p>x</p>{PAYLOAD}</body></html>",
        encoding="utf-8")
    profile = tmp_path / "chromium-profile"
    artifacts = Path(os.environ.get("LINGOPRESS_ARTIFACTS", tmp_path))
    artifacts.mkdir(parents=True, exist_ok=True)

    with serve(site) as url:
        control = Dom(browse(profile, "--dump-dom", f"{url}control.html").stdout)
        # The harness detects scripts that run: both the script and the onerror handler did.
        assert control.title == "pwned" and control.attrs["body"][0].get("data-owned") == "yes"

        for locale, direction, prefix in (("ar", "rtl", "ع"), ("en", "ltr", "EN")):
            dom = Dom(browse(profile, "--dump-dom", f"{url}{locale}/essai.html").stdout)
            assert dom.attrs["html"][0] == {"lang": locale, "dir": direction}
            assert dom.title == f"{prefix} Titre {PAYLOAD}"  # shown as text, the title untouched
            assert "data-owned" not in dom.attrs["body"][0]
            assert "script" not in dom.attrs  # no script element at all
            assert [img.get("src") for img in dom.attrs["img"]] == ["img.png"]  # only the article's image
            assert f"{prefix} Citation. {PAYLOAD}" in "".join(dom.text)
            # No base_url: no hreflang in the head (it must be absolute); the switcher links relatively.
            assert not [link for link in dom.attrs["link"] if "hreflang" in link]
            switcher = {a["hreflang"]: a["href"] for a in dom.attrs["a"] if a.get("lang")}
            assert switcher == {"fr": "../fr/essai.html", "ar": "../ar/essai.html", "en": "../en/essai.html"}
            # The theme travelled in the bundle: the pulled page's stylesheet is there.
            [sheet] = [link["href"] for link in dom.attrs["link"] if link.get("rel") == "stylesheet"]
            assert (site / locale / sheet).is_file()

        index = Dom(browse(profile, "--dump-dom", f"{url}ar/index.html").stdout)
        assert index.attrs["html"][0] == {"lang": "ar", "dir": "rtl"} and "data-owned" not in index.attrs["body"][0]

        screenshot = artifacts / "ar-essai.png"
        browse(profile, "--window-size=1024,768", f"--screenshot={screenshot}", f"{url}ar/essai.html")
    assert png_size(screenshot) == (1024, 768)
    assert screenshot.stat().st_size > 10_000  # text was drawn, not a blank page
