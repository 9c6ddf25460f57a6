"""The committed data files are what the tools make from `fixtures/sources/`, byte for byte,
and the tools speak the models' language without importing them."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

from recommendations.models import Section, Status
from tools import build_boards_fixture, build_recommendations_fixture, report_parser

ROOT = Path(settings.BASE_DIR)
FIXTURES = ROOT / "fixtures"


def test_the_recommendations_fixture_is_what_the_tool_makes_from_the_report(tmp_path, capsys):
    rebuilt = tmp_path / "recommendations.json"

    assert build_recommendations_fixture.main(["--output", str(rebuilt)]) == 0

    assert "Wrote 127 recommendations" in capsys.readouterr().out
    assert rebuilt.read_bytes() == (FIXTURES / "recommendations.json").read_bytes(), (
        "fixtures/recommendations.json is stale: run tools/build_recommendations_fixture.py"
    )
    assert rebuilt.read_bytes().endswith(b"]\n")


def test_the_recommendations_tool_refuses_an_unreadable_report(tmp_path, capsys):
    missing = tmp_path / "missing.txt"

    code = build_recommendations_fixture.main(
        ["--source", str(missing), "--output", str(tmp_path / "out.json")]
    )

    assert code == 1
    assert str(missing) in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()


def test_the_board_fixtures_are_what_the_tool_writes(tmp_path):
    assert build_boards_fixture.main(["--output-dir", str(tmp_path)]) == 0

    for name in ["board_organisations.json", "boards.json"]:
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes(), (
            f"fixtures/{name} is stale: run tools/build_boards_fixture.py"
        )


def test_the_tools_run_as_plain_scripts_from_anywhere(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_boards_fixture.py"), "--output-dir", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "boards.json").read_bytes() == (FIXTURES / "boards.json").read_bytes()


def test_the_parsers_statuses_and_sections_are_the_models():
    assert {s.value for s in report_parser.Status} == set(Status.values)
    assert {s.value for s in report_parser.Section} == set(Section.values)
    assert report_parser.RECOMMENDATION_COUNT == 127
