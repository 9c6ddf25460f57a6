"""Write `fixtures/board_organisations.json` and `fixtures/boards.json` from the sources.

    .venv/bin/python tools/build_boards_fixture.py [--output-dir fixtures]

The records and the choices behind them are in `tools/board_records.py`; the output is
deterministic, and a test checks the committed files are what this writes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, only tools/ is on the path; the package import below needs the project.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.board_records import board_organisations, boards_fixture  # noqa: E402


def dumps(objects: list[dict[str, Any]]) -> str:
    return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=ROOT / "fixtures")
    args = parser.parse_args(argv)
    for name, objects in [
        ("board_organisations.json", board_organisations()),
        ("boards.json", boards_fixture()),
    ]:
        (args.output_dir / name).write_text(dumps(objects), encoding="utf-8")
        print(f"Wrote {len(objects)} objects to {args.output_dir / name}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
