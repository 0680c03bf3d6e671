"""``make bench``: run every ``bench_*.py`` here; each writes ``bench-results/<name>.json``."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE.parents[1] / "bench-results"


def main(selected: list[str]) -> int:
    OUT.mkdir(exist_ok=True)
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if selected and name not in selected:
            continue
        print(f"== {name}", flush=True)
        result = importlib.import_module(f"tests.bench.{path.stem}").run()
        (OUT / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result.get("summary", result), indent=2), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
