"""Benchmarks: seeded corpora and side-by-side measurements (not part of the package)."""
