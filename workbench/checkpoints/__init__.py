"""Checkpoints that resume training exactly: ``workbench.checkpoint`` and ``workbench.resume``."""
