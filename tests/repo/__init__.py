"""The checkout: lint, layout and imports, committed sources, dev.py, the cluster files."""
