"""``import workbench`` (and what Jupyter imports of it) must not load TensorFlow or widgets."""

from tests.conftest import run_python

HEAVY = ("tensorflow", "keras", "ipywidgets", "anywidget", "plotly")


def test_import_workbench_loads_nothing_heavy() -> None:
    out = run_python(
        "import sys, workbench, workbench.server, workbench.cli, workbench.doctor\n"
        "workbench._jupyter_server_extension_points(); workbench._jupyter_labextension_paths()\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    assert out.strip() == "[]"


def test_public_names_load_lazily() -> None:
    out = run_python(
        "import sys, workbench\n"
        "assert 'tensorflow' not in sys.modules\n"
        "devices = workbench.devices\n"
        "print('tensorflow' in sys.modules, 'devices' in dir(workbench))\n"
        "devices()\n"
        "print('tensorflow' in sys.modules)"
    )
    # the name resolves without TensorFlow; calling it is what loads TensorFlow
    assert out.split() == ["False", "True", "True"]


def test_unknown_attribute_is_an_attribute_error() -> None:
    out = run_python(
        "import workbench\ntry:\n    workbench.nope\nexcept AttributeError as e:\n    print(e)"
    )
    assert "has no attribute 'nope'" in out


def test_load_ext_loads_nothing_heavy() -> None:
    # the kernel loads the extension before the first cell: it must not cost a TensorFlow import
    out = run_python(
        "import sys\n"
        "from IPython.testing.globalipapp import start_ipython\n"
        "start_ipython().run_line_magic('load_ext', 'workbench')\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    assert out.strip() == "[]"
