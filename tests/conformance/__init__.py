"""Conformance suite: ordinary TensorFlow notebooks, eagerly and under ``%compile_mode``.

``python -m tests.conformance [--modes function,xla] [--notebooks a,b] [--workers 2]
[--out bench-results/conformance.json]`` runs it; ``tests/bench/bench_conformance.py`` judges
its goals (``make bench``); ``tests/conformance/test_conformance.py`` asserts its invariants in
``make test`` on a subset.

Report schema (``schema: 1``), written as JSON:

* ``cells``: one record per compute cell and compiled mode: ``notebook``, ``cell`` (index in the
  notebook's cells), ``mode``, ``source`` (its first 500 characters), ``class`` (one of
  ``classify.CLASSES``), ``message`` (what the workbench said, or null), ``names_line``,
  ``outputs_differ``, ``rerun_differs`` (a heavy cell's second run), ``namespace_new`` (name ->
  missing/extra/type .../value, new at this cell), ``cascade`` (the namespace already differed
  before the cell), ``eager_output``/``output`` (when they differ), ``tensor_cell`` (ran
  TensorFlow ops eagerly), ``eager_ops``/``graph_ops`` (ops this run ran eagerly / inside graphs,
  tf.data's own functions among the latter), ``data_ops`` (tf.data plumbing, on neither side),
  ``compiled_share`` (and ``tensor_cell_strict``/``compiled_share_strict``: plumbing counted as
  eager ops, tf.data's functions not counted, the measure of earlier reports), and for heavy
  cells ``eager_seconds``/``seconds`` (the faster of two warm re-runs, op counting off).
* ``summary``: per notebook and mode (eager too: its own compiled share) the class counts,
  ``identical_share``, ``differing_with_message_share``, ``compiled_cells_share`` (tensor cells
  whose ops ran mostly inside graphs; ``compiled_cells_share_strict`` by the strict measure),
  ``compiled_ops_share`` and the heavy cells' speed-ups
  (eager / compiled seconds, only of heavy cells whose outputs, first run and re-run, are
  eager's; the others are listed in ``heavy_not_comparable``).
* ``totals``: the same sums per compiled mode over every notebook.
"""
