"""Embedding projections as plain data: inputs read and checked, PCA / t-SNE / UMAP, exact
nearest neighbours, and TensorBoard's projector format. No IPython, no widgets: the view and
``workbench.project`` live in ``workbench/widgets/projector.py``."""

from workbench.projector.export import ProjectorFiles, export_projector, read_projector
from workbench.projector.inputs import Points, ProjectionError, read_points
from workbench.projector.neighbors import Neighbors, nearest
from workbench.projector.reduce import METHODS, METRICS, Reduction, reduce

__all__ = [
    "METHODS",
    "METRICS",
    "Neighbors",
    "Points",
    "ProjectionError",
    "ProjectorFiles",
    "Reduction",
    "export_projector",
    "nearest",
    "read_points",
    "read_projector",
    "reduce",
]
