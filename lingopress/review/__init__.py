"""Review: where each article stands in each locale, for translators and operators.

The rows (`status`: counts, QA findings, publishable or not, what is live), their types
(`model`) and the pages that show them (`pages`: the status page, one review page per
article and locale with source and translation side by side).
"""
