"""Devices, virtual devices, strategies and the multi-worker launcher (TensorFlow glue)."""
