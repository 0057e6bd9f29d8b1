"""The project store: every read and write of a project's files.

`project.ProjectStore` is the store a run uses (sources, templates, catalogs, glossary,
translation memory, run records, published state, pages, bundles; the lock);
`digests` knows each file's sha256 from its `stat`; `files` reads and writes one file of
a kind (a source, a catalog, the glossary) with errors that name it; `atomic` holds the
primitives (temp file, fsync, rename; the file lock). Stages never import this package.
"""
