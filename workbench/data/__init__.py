"""Data and model validation: feature statistics in one streaming pass, schemas and their
anomalies, drift between two datasets, and a model's metrics per slice (what TFX's Data
Validation and Model Analysis give, neither of which installs beside TensorFlow 2.21)."""
