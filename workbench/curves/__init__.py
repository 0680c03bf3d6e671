"""Training curves: the run store, its TensorBoard event files and the Keras callback feeding it.

Plain Python and NumPy; TensorFlow loads only to write event files. Views live in
``workbench.widgets``.
"""
