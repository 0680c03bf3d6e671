"""Inline inspection: rich, cheap displays of tensors, variables, models, datasets and gradients.

``formatters.register`` hooks IPython's formatters by class *name*, so nothing here loads until
an object of one of those classes is displayed.
"""
