"""Profiles of TensorFlow code: capture, conversion with xprof, the trace model and the step-time
diagnosis, as plain data (no IPython, no widgets).

``session`` starts and stops TensorFlow's profiler, ``steps`` decides at which training steps a
capture in a running loop starts and stops (O(1) a step), ``xplane`` checks a capture file before
anyone reads it, ``convert`` runs xprof's converters offline, ``trace`` and ``lod`` hold the
timeline's events and answer "what is visible at this zoom", ``breakdown``, ``ops``, ``memory``
and ``diagnosis`` turn xprof's tables into a per-step breakdown and a verdict in words,
``capture`` is one loaded capture and ``listing`` finds captures in logdirs. Nothing here imports
TensorFlow at import time.
"""
