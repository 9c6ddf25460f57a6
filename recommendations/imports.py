"""Spreadsheet imports of progress updates: read a file, check every row, write all or none.

The chain runs one way: imports → resources (django-import-export) → services (the writes),
so that the services know nothing of spreadsheets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import InterfaceError, OperationalError
from django.template.defaultfilters import pluralize
from import_export.results import Result, RowResult
from tablib import Dataset

from recommendations.resources import ProgressUpdateResource
from recommendations.spreadsheets import ImportFileError, read_spreadsheet

#: What the database driver raises when the server is gone, not when a row is wrong.
DATABASE_LOST = (OperationalError, InterfaceError)


@dataclass
class RowProblem:
    """What is wrong with one row (or with the whole file, when `line` is None)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


@dataclass
class ImportReport:
    """What an import did, or would do: counts, and every problem with its line number.

    Line numbers are the file's: the header is line 1, the first row of data line 2.
    """

    total_rows: int = 0
    new: int = 0
    unchanged: int = 0
    blank: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    result: Result | None = None
    #: The database could not be reached: the file may be right, so it is not blamed.
    database_lost: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.database_lost

    @classmethod
    def from_result(cls, result: Result) -> ImportReport:
        errors = [*result.base_errors, *(e for row in result.error_rows for e in row.errors)]
        if any(isinstance(error.error, DATABASE_LOST) for error in errors):
            return cls(total_rows=result.total_rows, result=result, database_lost=True)
        blank = getattr(result, "blank_rows", 0)
        problems = [RowProblem(None, _plain(error.error)) for error in result.base_errors]
        # Unknown foreign keys and other exceptions land in error_rows, validation errors
        # in invalid_rows: both are reported, in the file's order.
        by_line: list[RowProblem] = []
        for error_row in result.error_rows:
            for error in error_row.errors:
                by_line.append(RowProblem(error_row.number + 1, _plain(error.error)))
        for invalid in result.invalid_rows:
            for column, messages in invalid.error_dict.items():
                prefix = "" if column in ("row", NON_FIELD_ERRORS) else f"{column}: "
                for message in messages:
                    by_line.append(RowProblem(invalid.number + 1, prefix + _plain(message)))
        by_line.sort(key=lambda p: p.line)
        return cls(
            total_rows=result.total_rows,
            new=result.totals[RowResult.IMPORT_TYPE_NEW],
            unchanged=result.totals[RowResult.IMPORT_TYPE_SKIP] - blank,
            blank=blank,
            problems=problems + by_line,
            result=result,
        )

    def summary(self) -> str:
        if self.database_lost:
            return (
                "Nothing was imported: the database could not be reached. This is not a "
                "problem with your file: try again in a few minutes."
            )
        if not self.ok:
            count = len(self.problems)
            return (
                f"Nothing was imported: {count} problem{pluralize(count)} to correct. "
                "Correct the file and upload it again."
            )
        return (
            f"{self.new} new update{pluralize(self.new)}, {self.unchanged} unchanged "
            f"(already recorded), of {self.total_rows} row{pluralize(self.total_rows)}."
        )


def _plain(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def import_updates(
    *,
    dataset_or_file,
    user: AbstractBaseUser | None,
    publish: bool,
    dry_run: bool = False,
    source: str = "",
) -> ImportReport:
    """Import a spreadsheet of progress updates: every row, or — if any row is wrong — none.

    `dataset_or_file` is a tablib Dataset, an uploaded file or a path (.csv or .xlsx). Every
    row is checked first, without writing; then, if all are right, the new ones are written
    at once by `bulk_record_updates`, entered by `user`, published or draft as `publish`
    says. A row identical to a draft or published update already recorded is counted as
    unchanged. With `dry_run` every row is checked and nothing is written.
    """
    if isinstance(dataset_or_file, Dataset):
        dataset = dataset_or_file
    else:
        try:
            dataset = read_spreadsheet(dataset_or_file)
        except ImportFileError as error:
            return ImportReport(problems=[RowProblem(None, str(error))])
    resource = ProgressUpdateResource(publish=publish, user=user, source=source)
    try:
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=user,
        )
    except DATABASE_LOST:
        # Lost before or after the rows (opening or ending the transaction): nothing written.
        return ImportReport(total_rows=len(dataset), database_lost=True)
    return ImportReport.from_result(result)
