"""The ``workbench`` command: ``doctor``, ``kernel install``, ``lab``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from workbench import _quiet


def _doctor(_args: argparse.Namespace) -> int:
    from workbench import doctor

    return doctor.run()


def _kernel_install(args: argparse.Namespace) -> int:
    from workbench import kernelspec

    prefix = sys.prefix if args.sys_prefix else args.prefix
    dest = kernelspec.install(user=args.user, prefix=prefix, virtual_devices=args.virtual_devices)
    split = f", {args.virtual_devices} virtual CPUs" if args.virtual_devices else ""
    print(f"Installed kernelspec {kernelspec.KERNEL_NAME!r} in {dest}{split}")
    return 0


def _lab(args: argparse.Namespace) -> NoReturn:
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ip={args.ip}",
        f"--port={args.port}",
        "--no-browser",
        f"--ServerApp.root_dir={os.path.abspath(args.root)}",
    ]
    if args.open:
        argv.append(f"--LabApp.default_url=/lab/tree/{args.open}")
    if os.geteuid() == 0:
        argv.append("--allow-root")  # containers and CI run as root; Jupyter refuses otherwise
    argv += args.jupyter_args
    os.execv(sys.executable, argv)  # replaces this process: jupyter lab owns the terminal


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    doctor = sub.add_parser("doctor", help="check TensorFlow, XLA, the extensions and the kernel")
    doctor.set_defaults(func=_doctor)

    kernel = sub.add_parser("kernel", help="manage the tf-workbench kernelspec")
    kernel_sub = kernel.add_subparsers(dest="kernel_command", required=True)
    install = kernel_sub.add_parser("install", help="install the tf-workbench kernelspec")
    where = install.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="for the current user only")
    where.add_argument("--sys-prefix", action="store_true", help="into this environment")
    where.add_argument("--prefix", help="under this prefix (PREFIX/share/jupyter/kernels)")
    install.add_argument(
        "--virtual-devices",
        type=int,
        metavar="N",
        help="split the CPU into N logical devices in every kernel, at start-up",
    )
    install.set_defaults(func=_kernel_install)

    lab = sub.add_parser("lab", help="start JupyterLab on this machine only")
    lab.add_argument("--ip", default="127.0.0.1")
    lab.add_argument("--port", type=int, default=8888)
    lab.add_argument("--root", default=".", help="the server's root directory")
    lab.add_argument("--open", help="a notebook to open, relative to --root")
    lab.add_argument("jupyter_args", nargs=argparse.REMAINDER, help="passed on to jupyter lab")
    lab.set_defaults(func=_lab)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before any TensorFlow import
    _quiet.install()  # the lines TensorFlow logs before it reads that
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
