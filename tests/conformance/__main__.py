"""``python -m tests.conformance``: run the suite and write its JSON report (see __init__)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.conformance.runner import NOTEBOOKS
from tests.conformance.suite import MODES, run_suite


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conformance")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--notebooks", default="", help="names without .ipynb, comma-separated")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="bench-results/conformance.json")
    args = parser.parse_args(argv)
    names = [n for n in args.notebooks.split(",") if n]
    paths = [NOTEBOOKS / f"{n}.ipynb" for n in names] or None
    report = run_suite(paths, tuple(m for m in args.modes.split(",") if m), args.workers)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    for row in report["summary"]:
        print(json.dumps({k: v for k, v in row.items() if k != "heavy"}))
    print(json.dumps(report["totals"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
