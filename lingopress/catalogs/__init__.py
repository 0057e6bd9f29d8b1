"""Catalogs and memory: what translators edit and what the pipeline reuses.

PO/POT reading with file:line errors, msgmerge-style merging and approval (`po`), GNU
gettext's exact file layout (`poformat`), translation memory built from approved entries
(`memory`) and the project glossary (`glossary`). Pure functions on text and polib
objects: files are read and written by `lingopress.store`.
"""
