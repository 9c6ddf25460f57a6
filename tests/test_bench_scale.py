"""make bench-scale prints the issue's table and fails on each goal the 80x figures miss."""

import pytest

from bench.scale import REQUESTS, Row, server_url, shortfalls, table


def row(label: str, kind: str, small: tuple[float, float], big: tuple[float, float]) -> Row:
    """A request's medians in ms, (first byte, total) at 1x and at 80x."""
    made = Row(label, kind)
    made.medians = {
        "1x": {"first": small[0], "total": small[1]},
        "80x": {"first": big[0], "total": big[1]},
    }
    return made


MEMORY = {"1x": 90.0, "80x": 150.0}


def test_the_table_shows_both_sizes_the_growth_and_a_downloads_first_byte():
    rows = [
        row("`/`", "page", (6, 6), (6, 12)),
        row("position export, CSV (admin)", "staff download", (20, 36), (25, 2245)),
    ]
    lines = table(rows, MEMORY).splitlines()
    assert lines[0] == "| request | 1× | 80× | growth |"
    assert lines[2] == "| `/` | 6 ms | 12 ms | 2.0× |"
    assert lines[3] == "| position export, CSV (admin) | 20 / 36 ms | 25 / 2,245 ms | 62.4× |"
    assert lines[4].endswith("| 90 MB | 150 MB | |")


def test_every_goal_met_is_no_shortfall():
    rows = [
        row("`/`", "page", (6, 6), (17, 17.9)),
        row("search", "search", (19, 19), (90, 94)),
        row("`/healthz`", "other", (2, 2), (20, 20)),  # shown, but no goal
        row("chase CSV", "staff download", (8, 11), (30, 114)),
    ]
    assert shortfalls(rows, MEMORY) == []


@pytest.mark.parametrize(
    ("missed", "says"),
    [
        (row("`/report/2017/`", "page", (7, 7), (452, 452)), "64.6× its 1× time"),
        (row("Overdue page", "staff page", (29, 29), (90, 90)), "goal: within 3×"),
        (row("search", "search", (19, 19), (114, 114)), "goal: within 5×"),
        (row("`/recommendations.csv`", "download", (13, 13), (409, 409)), "after 409 ms"),
    ],
)
def test_each_goal_missed_is_named(missed, says):
    (shortfall,) = shortfalls([missed], MEMORY)
    assert shortfall.startswith(missed.label)
    assert says in shortfall


def test_a_worker_over_500_mb_is_a_shortfall():
    (shortfall,) = shortfalls([], {"1x": 90.0, "80x": 2400.0})
    assert "80x reached 2,400 MB" in shortfall


def test_the_table_has_the_issues_rows():
    paths = [path for _, path, _ in REQUESTS]
    assert {"/", "/recommendations/?q=training", "/report/2017/", "/healthz"} <= set(paths)
    kinds = {label: kind for label, _, kind in REQUESTS}
    assert kinds["position export, CSV (admin)"] == "staff download"
    assert kinds["`/recommendations/?q=training`"] == "search"


def test_the_server_is_taken_from_database_url_without_its_database():
    assert server_url("postgres://postgres@127.0.0.1:5432/tracker") == (
        "postgres://postgres@127.0.0.1:5432"
    )
    with pytest.raises(SystemExit, match="PostgreSQL"):
        server_url("sqlite:///db.sqlite3")


def test_a_task_worker_past_the_memory_goal_is_a_shortfall_and_is_tabled():
    from bench import scale

    memory = {"1x": 100.0, "80x": 150.0}
    tasks = {"1x": 160.0, "80x": 620.0}
    assert scale.shortfalls([], memory, tasks) == [
        "the task worker at 80x reached 620 MB (goal: at most 500 MB)"
    ]
    assert "| peak resident memory of the task worker" in scale.table([], memory, tasks)
