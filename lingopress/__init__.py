"""lingopress: French articles → gettext catalogs → machine drafts → review → published locales."""

from __future__ import annotations

__version__ = "0.1.0"
