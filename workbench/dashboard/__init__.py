"""Voila dashboards: the training monitor (``TrainingMonitor``, shown by
``notebooks/dashboards/training_monitor.ipynb``) and ``workbench dashboard``, which serves it."""

from workbench.dashboard.monitor import TrainingMonitor

__all__ = ["TrainingMonitor"]
