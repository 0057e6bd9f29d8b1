"""Publishing: from approved catalogs to what readers and publishers get.

Which approved version of each article is live per locale (`publish`), whether a live
version went stale (`staleness`, `notices`), the pages (`render` holds the one Jinja
environment, `pages` the article and index pages), the versioned locale bundles
(`bundles`, in `bundle_format`'s format) and the publishers' client (`pull`, `pull_net`,
`pull_dest`), which depends on `bundle_format` alone. This package's `__init__` imports
nothing, so `pull` runs without the pipeline.
"""
