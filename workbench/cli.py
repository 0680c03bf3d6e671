"""The ``workbench`` command: ``doctor``, ``kernel install``, ``lab``, ``dashboard``."""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from workbench import _quiet

DESCRIPTION = (
    "TF Workbench: check a set-up (doctor), install the TensorFlow Workbench kernel "
    "(kernel install), start JupyterLab on this machine (lab), serve the training monitor "
    "(dashboard)."
)


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


class CommandError(Exception):
    """A command refused its arguments: the message says why and what to do."""


def lab_argv(args: argparse.Namespace) -> list[str]:
    """The ``jupyter lab`` command line ``workbench lab`` runs.

    Raises:
        CommandError: ``--ip`` is not a loopback address and ``--allow-remote`` was not given.
    """
    if not _is_loopback(args.ip) and not args.allow_remote:
        raise CommandError(
            f"Expected a loopback --ip (127.0.0.1, ::1 or localhost). Received: {args.ip!r}, which "
            "serves the kernels' code execution to other machines. Add --allow-remote if you "
            "mean it (anyone who reaches the port and has the token runs code as you)."
        )
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ip={args.ip}",
        f"--port={args.port}",
        "--no-browser",
        f"--ServerApp.root_dir={os.path.abspath(args.root)}",
        # no "get notified about official Jupyter news?" pop-up, no update check: the machine
        # may have no internet, and the workbench's own command should open on the notebook
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if args.settings_dir:
        argv.append(f"--LabApp.app_settings_dir={args.settings_dir}")
    if args.open:
        argv.append(f"--LabApp.default_url=/lab/tree/{args.open}")
    if os.geteuid() == 0:
        argv.append("--allow-root")  # containers and CI run as root; Jupyter refuses otherwise
    return argv + list(args.jupyter_args)


def copy_missing(source: Path, root: Path) -> list[Path]:
    """Copy the files of ``source`` that ``root`` lacks (a user's edited copy is kept); returns
    what was copied. Tutorials are run in a work copy, so the committed ones stay clean."""
    copied = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if "runs" in relative.parts:  # what a run of a tutorial wrote, if any is there
            continue
        target = root / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            copied.append(target)
    return copied


# JupyterLab asks about news while this setting is "none" (its default), whatever news_url says
NEWS_SETTING = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false"}}


def app_settings_without_news(dest: Path, current: Path) -> Path:
    """``current`` (JupyterLab's application settings folder) copied into ``dest``, its
    ``overrides.json`` answering the news question with no, unless it already answers it.

    The environment's own settings are left as they are: only ``workbench lab`` reads ``dest``.
    """
    dest.mkdir(parents=True, exist_ok=True)
    if current.is_dir():
        for path in current.iterdir():
            if path.is_file():
                shutil.copy2(path, dest / path.name)
    overrides_path = dest / "overrides.json"
    try:
        overrides = json.loads(overrides_path.read_text()) if overrides_path.is_file() else {}
    except ValueError:
        overrides = {}  # JupyterLab would not read it either
    for plugin, values in NEWS_SETTING.items():
        section = overrides.setdefault(plugin, {})
        for key, value in values.items():
            section.setdefault(key, value)
    overrides_path.write_text(json.dumps(overrides, indent=2))
    return dest


def _lab(args: argparse.Namespace) -> NoReturn:
    if args.settings_dir is None:
        from jupyterlab.commands import get_app_dir

        dest = Path(tempfile.gettempdir()) / f"tf-workbench-lab-{os.getuid()}" / "settings"
        args.settings_dir = str(app_settings_without_news(dest, Path(get_app_dir()) / "settings"))
    argv = lab_argv(args)
    if args.copy_from:
        Path(args.root).mkdir(parents=True, exist_ok=True)
        copied = copy_missing(Path(args.copy_from), Path(args.root))
        if copied:
            print(f"Copied {len(copied)} notebooks from {args.copy_from} into {args.root}")
    os.execv(sys.executable, argv)  # replaces this process: jupyter lab owns the terminal


def dashboard_argv(args: argparse.Namespace) -> tuple[list[str], str]:
    """The ``voila`` command line ``workbench dashboard`` runs, and the URL it prints.

    Raises:
        CommandError: ``--ip`` is not a loopback address and ``--allow-remote`` was not given.
    """
    from workbench.dashboard import serve

    if not _is_loopback(args.ip) and not args.allow_remote:
        raise CommandError(
            f"Expected a loopback --ip (127.0.0.1, ::1 or localhost). Received: {args.ip!r}. Add "
            "--allow-remote if you mean it (anyone with the token runs the dashboard's kernels), "
            "or keep 127.0.0.1 behind a reverse proxy (-- --Voila.base_url=/monitor/)."
        )
    token = args.token or serve.new_token()
    extra = list(args.voila_args)
    argv = serve.voila_argv(
        serve.notebook_path(),
        ip=args.ip,
        port=args.port,
        token=token,
        theme=args.theme,
        extra=extra[1:] if extra[:1] == ["--"] else extra,
    )
    host = f"[{args.ip}]" if ":" in args.ip else args.ip
    return argv, f"http://{host}:{args.port}/?token={token}"


def _dashboard(args: argparse.Namespace) -> NoReturn:
    from workbench.dashboard import serve

    argv, url = dashboard_argv(args)
    print(f"Training monitor of {os.path.abspath(args.logdir)}: {url}", flush=True)
    os.execve(sys.executable, argv, serve.environment(args.logdir))  # Voila owns the terminal


def _is_loopback(ip: str) -> bool:
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description=DESCRIPTION)
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
    lab.add_argument(
        "--ip",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; any other address "
        "needs --allow-remote)",
    )
    lab.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --ip: other machines can then reach the server (token needed)",
    )
    lab.add_argument("--port", type=int, default=8888)
    lab.add_argument("--root", default=".", help="the server's root directory")
    lab.add_argument("--open", help="a notebook to open, relative to --root")
    lab.add_argument(
        "--settings-dir",
        help="JupyterLab's application settings folder (default: the environment's, copied, with "
        "Jupyter's news question answered no)",
    )
    lab.add_argument(
        "--copy-from",
        metavar="DIR",
        help="first copy the files of DIR that --root lacks (e.g. the tutorials into a work "
        "folder, so running them leaves the originals clean)",
    )
    lab.add_argument("jupyter_args", nargs=argparse.REMAINDER, help="passed on to jupyter lab")
    lab.set_defaults(func=_lab)

    dash = sub.add_parser("dashboard", help="serve the training monitor (Voila) on this machine")
    dash.add_argument("--logdir", default="runs", help="the folder of runs to show (default runs)")
    dash.add_argument("--port", type=int, default=8866)
    dash.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    dash.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --ip")
    dash.add_argument("--theme", choices=["light", "dark"], default="light")
    dash.add_argument("--token", help="the token the URL carries (default: a new random one)")
    dash.add_argument("voila_args", nargs=argparse.REMAINDER, help="passed on to voila")
    dash.set_defaults(func=_dashboard)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before any TensorFlow import
    _quiet.install()  # the lines TensorFlow logs before it reads that
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CommandError as exc:
        print(f"workbench {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
