"""Test support shared by the tests and the benchmarks, kept out of the shipped package.

`tiny_argos` builds a small real Argos package offline; `qa_cases` loads and scores the
labelled QA corpus in `tests/data/qa_cases/`; `dask_cluster` starts a real Dask scheduler and
workers that cannot see a given folder. Import them as `support.<module>` with the
`tests/` folder on `sys.path` (pytest puts it there; the benchmarks add it).
"""
