"""Queries compiled to SQL once, then run with new values: for the busiest pages' small lists.

Building a queryset's SQL (filters, joins, ordering, columns) costs Django far more than
SQLite or PostgreSQL take to answer a query by primary key: on the recommendation page it
was most of the time. A `Prepared` query is written as an ordinary queryset, with a marker
number where a value goes; its SQL is made on first use for each database and reused.

Only for `values_list()` queries whose columns need no conversion from the database
(numbers, text): the rows come straight from the cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

#: The number standing for the value in the queryset that builds the SQL: one no row has,
#: but within the range of a positive integer column (Django drops a condition that cannot
#: hold for the column, e.g. a negative number).
MARKER = 2_147_000_001


class Prepared:
    """`build(*markers)` gives the queryset, with `size` markers (MARKER, MARKER + 1, …) where
    the values go; calling the object with `size` values runs its SQL for them."""

    def __init__(self, build: Callable[..., QuerySet], size: int = 1) -> None:
        self.build = build
        self.size = size
        self.markers = {MARKER + i: i for i in range(size)}
        self.compiled: dict[tuple[str, str], tuple[str, tuple]] = {}

    def sql(self, alias: str) -> tuple[str, tuple]:
        key = (alias, connections[alias].vendor)
        if key not in self.compiled:
            sql, params = self.build(*self.markers).query.get_compiler(alias).as_sql()
            if not set(self.markers) <= set(params):
                raise ValueError("The queryset does not use every marker.")
            self.compiled[key] = (sql, params)
        return self.compiled[key]

    def __call__(self, *values: Any, alias: str = "default") -> list[tuple[Any, ...]]:
        if len(values) != self.size:
            raise ValueError(f"{self.size} values expected, not {len(values)}.")
        sql, params = self.sql(alias)
        values = [
            values[self.markers[param]] if _is_number(param) and param in self.markers else param
            for param in params
        ]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, values)
            return cursor.fetchall()


def _is_number(param: Any) -> bool:
    """An int, as PostgreSQL's backend gives it too (a typed subclass), but not a bool."""
    return isinstance(param, int) and not isinstance(param, bool)
