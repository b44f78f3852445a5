"""Adapters for other pipelines; each imports its framework only when it is itself imported.

`corpusclean.integrations.datatrove` holds `CorpuscleanStep`, a datatrove pipeline step.
The batch functions for `datasets`, pandas and Arrow live in `corpusclean.batch` and are
exported by `corpusclean` itself.
"""
