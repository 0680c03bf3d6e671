"""Jobs started by these tests send their functions by value, as a notebook's are sent."""

from __future__ import annotations

import cloudpickle

from tests.distribute import jobfns

cloudpickle.register_pickle_by_value(jobfns)
