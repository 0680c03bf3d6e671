"""``make bench``: run every ``bench_*.py`` here; each writes ``bench-results/<name>.json`` with its
goals judged, and the run ends with one table of every goal (also ``bench-results/goals.txt``)."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from tests.bench.goals import Goal, goals_of, table

HERE = Path(__file__).parent
OUT = HERE.parents[1] / "bench-results"


def main(selected: list[str]) -> int:
    OUT.mkdir(exist_ok=True)
    rows: list[tuple[str, Goal]] = []
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if selected and name not in selected:
            continue
        print(f"== {name}", flush=True)
        result = importlib.import_module(f"tests.bench.{path.stem}").run()
        (OUT / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result.get("summary", result), indent=2), flush=True)
        rows.extend((name, goal) for goal in goals_of(result))
    summary = table(rows)
    (OUT / "goals.txt").write_text(summary + "\n")
    print("\n" + summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
