"""``workbench.export``: SavedModel, ``.keras`` and LiteRT artifacts with a size-latency-accuracy
table and a fresh-process load check."""
