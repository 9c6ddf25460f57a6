"""Queries compiled to SQL once, then run with new values: for the busiest pages' small lists.

Building a queryset's SQL (filters, joins, ordering, columns) costs Django far more than
SQLite or PostgreSQL take to answer a query by primary key: on the recommendation page it
was most of the time. A `Prepared` query is written as an ordinary queryset, with a marker
number where a value goes; its SQL is made on first use for each database and reused.

Calling it gives the rows of a `values_list()` query, with the same conversions from the
database as the queryset's own (a SQLite boolean as True or False, not 1 or 0); `objects()`
gives the model instances of a model query, as Django makes them.
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import psycopg
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer

#: The number standing for the value in the queryset that builds the SQL: one no row has,
#: but within the range of a positive integer column (Django drops a condition that cannot
#: hold for the column, e.g. a negative number).
MARKER = 2_147_000_001


class Prepared:
    """`build(*markers)` gives the queryset, with `size` markers (MARKER, MARKER + 1, …) where
    the values go; calling the object with `size` values runs its SQL for them. A value
    for a text column is marked by the marker's digits as text (`str(marker)`)."""

    def __init__(self, build: Callable[..., QuerySet], size: int = 1) -> None:
        self.build = build
        self.size = size
        numbers = [MARKER + i for i in range(size)]
        self.numbers = tuple(numbers)
        self.markers: dict[int | str, int] = {number: i for i, number in enumerate(numbers)}
        self.markers.update({str(number): i for i, number in enumerate(numbers)})
        self.compiled: dict[tuple[str, str], tuple[str, tuple, SQLCompiler, dict, int | None]] = {}

    def sql(self, alias: str) -> tuple[str, tuple, SQLCompiler, dict, int | None]:
        """The SQL, its parameters (markers included), the columns' converters, and how many
        columns a row has (None: all those selected), as Django's own `execute_sql()` has it:
        a DISTINCT query also selects the columns it is ordered by, which are not given."""
        key = (alias, connections[alias].vendor)
        if key not in self.compiled:
            compiler = self.build(*self.numbers).query.get_compiler(alias)
            sql, params = compiler.as_sql()
            if {self.markers[p] for p in params if _is_marker(p, self.markers)} != set(
                self.markers.values()
            ):
                raise ValueError("The queryset does not use every marker.")
            width = compiler.col_count if compiler.has_extra_select else None
            columns = [column for column, _, _ in compiler.select[:width]]
            self.compiled[key] = (sql, params, compiler, compiler.get_converters(columns), width)
        return self.compiled[key]

    def __call__(self, *values: Any, alias: str = "default") -> list[tuple[Any, ...]]:
        """The rows for `values`, converted as the queryset's own would be."""
        sql, params, compiler, converters, width = self.sql(alias)
        rows = fetch_all(connections[alias], sql, self._parameters(params, values))
        if width is not None:
            rows = [row[:width] for row in rows]
        if converters:
            return [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows

    def objects(self, *values: Any, alias: str = "default") -> list[Model]:
        """The model instances for `values`, for a queryset of models (not `values()`): made
        as Django's own `ModelIterable` makes them, `select_related()` rows and annotations
        included. (Not the objects a related manager knows of: build from the model's own
        manager, filtered by the marker.)"""
        rows = self(*values, alias=alias)
        _, _, compiler, _, _ = self.sql(alias)
        klass_info, annotations = compiler.klass_info, compiler.annotation_col_map
        model, fields = klass_info["model"], klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in compiler.select[start:end]]
        populators = get_related_populators(klass_info, compiler.select, alias)
        made = []
        for row in rows:
            obj = model.from_db(alias, names, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in (annotations or {}).items():
                setattr(obj, name, row[position])
            made.append(obj)
        return made

    def _parameters(self, params: tuple, values: tuple) -> list[Any]:
        """The compiled query's parameters, each marker replaced by its value."""
        if len(values) != self.size:
            raise ValueError(f"{self.size} values expected, not {len(values)}.")
        return [
            values[self.markers[param]] if _is_marker(param, self.markers) else param
            for param in params
        ]


def fetch_all(db: BaseDatabaseWrapper, sql: str, params: list | tuple = ()) -> list[tuple]:
    """The rows of `sql` (Django's `%s` placeholders) run on `db`.

    Outside a transaction, on the driver's own cursor, its errors made Django's as usual:
    Django's cursor wrapper cost as much CPU as SQLite took to answer a small query, and
    two fifths of a one-row read on PostgreSQL. Inside a transaction, or while queries are
    being recorded (`assertNumQueries`, the debug page), through Django's cursor like any
    other query.
    """
    if db.in_atomic_block or db.queries_logged:
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    db.close_if_health_check_failed()
    db.ensure_connection()
    if db.vendor == "postgresql":
        with db.wrap_database_errors:
            return _fetch_prepared(db.connection, sql, params)
    if db.vendor == "sqlite":
        sql = _qmark_sql(sql)
    with db.wrap_database_errors:
        cursor = db.connection.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()


#: Whether to prepare statements on PostgreSQL: not after the server has lost one (a pooler
#: in front of it that hands each statement to any server connection).
_preparing = True
#: The statements prepared on each PostgreSQL connection, by SQL and parameter types.
_STATEMENTS: weakref.WeakKeyDictionary[Any, dict[tuple, bytes]] = weakref.WeakKeyDictionary()
#: At most this many a connection; past it, the oldest is given up (DEALLOCATE).
STATEMENTS_KEPT = 256
_names = itertools.count(1)


def _fetch_prepared(raw: Any, sql: str, params: list | tuple) -> list[tuple]:
    """The rows of `sql` as a statement prepared on the PostgreSQL connection `raw`.

    Django binds values on the client, so PostgreSQL parses and plans every query afresh:
    for the recommendation page's agenda items (four tables) that took 250 µs of the
    server's 440 per run, which a prepared statement's saved plan does without.

    The statement is prepared and run with libpq itself (psycopg's public `pgconn`), its
    values written and its rows read by psycopg's own adapters (`Transformer`), keyed by
    the SQL and the values' types as psycopg keys its own: psycopg's cursor took 111 µs of
    CPU a query of the recommendation page, this 53. Prepared statements turned off
    (`DATABASE_PREPARED_STATEMENTS`), or lost by the server, go through psycopg's cursor.
    """
    global _preparing
    if not _preparing or raw.prepare_threshold is None:
        return _fetch_unprepared(raw, sql, params)
    transformer = Transformer(raw)
    values = transformer.dump_sequence(params, [PyFormat.TEXT] * len(params))
    statements = _STATEMENTS.get(raw)
    if statements is None:
        statements = _STATEMENTS[raw] = {}
    key = (sql, transformer.types)
    name = statements.get(key) or _prepare(raw, statements, key)
    pgconn = raw.pgconn
    result = pgconn.exec_prepared(name, values)
    if result.status != pq.ExecStatus.TUPLES_OK:
        if result.error_field(pq.DiagnosticField.SQLSTATE) == b"26000":  # no such statement
            _preparing = False
            statements.clear()
            return _fetch_unprepared(raw, sql, params)
        raise psycopg.errors.error_from_result(result, encoding=raw.info.encoding)
    transformer.set_pgresult(result)
    return transformer.load_rows(0, result.ntuples, tuple)


def _prepare(raw: Any, statements: dict[tuple, bytes], key: tuple) -> bytes:
    """Prepare `key`'s SQL, with its parameters' types, on `raw`; give the statement's name."""
    pgconn = raw.pgconn
    while len(statements) >= STATEMENTS_KEPT:
        oldest = next(iter(statements))
        pgconn.exec_(b"DEALLOCATE " + statements.pop(oldest))
    name = f"harris_tracker_{next(_names)}".encode()
    sql, types = key
    result = pgconn.prepare(name, _numbered_sql(sql).encode(), types)
    if result.status != pq.ExecStatus.COMMAND_OK:
        raise psycopg.errors.error_from_result(result, encoding=raw.info.encoding)
    statements[key] = name
    return name


def _fetch_unprepared(raw: Any, sql: str, params: list | tuple) -> list[tuple]:
    cursor = psycopg.Cursor(raw)
    try:
        cursor.execute(sql, params, prepare=False)
        return cursor.fetchall()
    finally:
        cursor.close()


@lru_cache(maxsize=256)
def _numbered_sql(sql: str) -> str:
    """The SQL with PostgreSQL's `$1`, `$2`… for Django's `%s` placeholders."""
    numbers = itertools.count(1)
    return _placeholders(sql, lambda: f"${next(numbers)}")


@lru_cache(maxsize=256)
def _qmark_sql(sql: str) -> str:
    """The SQL with sqlite3's `?` placeholders for Django's `%s`, as Django's SQLite cursor
    converts it (on every query: here once)."""
    return _placeholders(sql, lambda: "?")


def _placeholders(sql: str, placeholder: Callable[[], str]) -> str:
    """`sql` with each of Django's `%s` placeholders replaced by `placeholder()`, in order,
    and each escaped `%%` by `%`."""
    return FORMAT_TOKEN.sub(lambda m: "%" if m.group() == "%%" else placeholder(), sql)


#: A `%s` placeholder or an escaped `%%`, read from left to right.
FORMAT_TOKEN = re.compile(r"%%|%s")


def _is_marker(param: Any, markers: dict[int | str, int]) -> bool:
    """Whether `param` is one of `markers`: an int, as PostgreSQL's backend gives it too (a
    typed subclass), but not a bool; or text."""
    return (
        isinstance(param, str) or (isinstance(param, int) and not isinstance(param, bool))
    ) and param in markers
