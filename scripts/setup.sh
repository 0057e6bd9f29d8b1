#!/usr/bin/env bash
# One-command setup: a Python 3.11 virtualenv in .venv with everything pinned in
# requirements.lock, lingopress installed editable, and the system tools tests use.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "error: lingopress needs Python 3.11 (found $("$PYTHON" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
    exit 2
fi

# GNU gettext (msgfmt, msgmerge) checks catalogs in the tests; Debian/Ubuntu only.
if ! command -v msgfmt >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq gettext
    else
        echo "warning: GNU gettext (msgfmt) is missing; install it with your package manager" >&2
    fi
fi

# Headless Chromium opens published pages in the browser test (tests/test_browser.py);
# DejaVu has the Arabic glyphs for its screenshot. Debian's package is `chromium`.
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
    else
        echo "warning: chromium is missing; the browser test is skipped outside CI (install it with your package manager)" >&2
    fi
fi

# Apertium (the optional second MT engine) with its French→Spanish pair; its tests run
# when it is installed. Debian/Ubuntu only, and optional for lingopress itself.
if ! command -v apertium >/dev/null 2>&1 || ! dpkg-query -W apertium-fr-es >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq apertium apertium-fr-es
    else
        echo "warning: apertium is missing (optional engine); install apertium and apertium-fr-es" >&2
    fi
fi

# The web's own checkers (tests/test_web_checkers.py): Nu Html Checker (vnu-jar, runs on
# Java), axe-core driven by puppeteer-core in the system Chromium, Lighthouse 12 (13 needs
# Node 22). Pinned in package-lock.json; `npm ci` installs exactly those into node_modules/.
if ! command -v java >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq --no-install-recommends default-jre-headless nodejs npm
    else
        echo "warning: java or npm is missing; the web checkers are skipped outside CI (install a JRE and Node.js 18.16+)" >&2
    fi
fi
if command -v npm >/dev/null 2>&1; then
    # No browser download: puppeteer-core and Lighthouse use the system Chromium.
    PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# torch comes in through argostranslate → stanza. Pinning it first keeps pip on the
# CPU build (an unpinned torch pulls several GB of CUDA wheels). Outside this
# machine image, add: --index-url https://download.pytorch.org/whl/cpu
.venv/bin/python -m pip install -q "torch==2.13.0"
.venv/bin/python -m pip install -q -r requirements.lock
.venv/bin/python -m pip install -q --no-deps -e .
.venv/bin/lingopress --help >/dev/null
echo "lingopress is installed: activate with '. .venv/bin/activate', then 'lingopress run'."
