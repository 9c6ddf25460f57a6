"""Importing a spreadsheet of progress updates: every row or none, problems named by line."""

import datetime
import io
import re

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from import_export.formats.base_formats import CSV, XLSX

from boards.models import Action
from boards.resources import ActionResource
from recommendations.imports import ImportReport, import_updates
from recommendations.models import Organisation, ProgressUpdate, Recommendation, Status
from recommendations.resources import OrganisationResource, RecommendationResource
from tests.factories import (
    ActionFactory,
    MeetingFactory,
    OrganisationFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StaffUserFactory,
)
from tests.helpers import body

pytestmark = pytest.mark.django_db

HEADER = "recommendation,date,status,update\n"
IMPORT_URL = "/admin/recommendations/progressupdate/import/"
CONFIRM_URL = "/admin/recommendations/progressupdate/process_import/"


@pytest.fixture
def recommendations():
    return [RecommendationFactory(number=n) for n in (1, 2, 3, 48)]


@pytest.fixture
def author():
    return StaffUserFactory(role="Report author")


def csv_file(text: str, name="updates.csv", encoding="utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def import_report(result) -> ImportReport:
    return ImportReport.from_result(result)


def run(text: str, user, publish=True, **kwargs):
    return import_updates(dataset_or_file=csv_file(text, **kwargs), user=user, publish=publish)


def test_each_row_becomes_an_update_through_the_one_rule(recommendations, author):
    report = run(
        HEADER + "48,2018-06-01,Resolved,All crews trained.\n1,31/10/2017,ongoing,Work goes on.\n",
        author,
    )
    assert report.ok, report.problems
    assert (report.new, report.unchanged) == (2, 0)
    r48 = Recommendation.objects.get(number=48)
    assert r48.status == Status.RESOLVED
    assert r48.latest_update.text == "All crews trained."
    assert r48.latest_update.entered_by == author
    assert Recommendation.objects.get(number=1).last_updated == datetime.date(2017, 10, 31)


def test_imported_updates_can_be_drafts(recommendations, author):
    report = run(HEADER + "48,2018-06-01,Resolved,Done.\n", author, publish=False)
    assert report.ok
    assert ProgressUpdate.objects.get().published is False
    assert Recommendation.objects.get(number=48).status == Status.ONGOING


def test_the_history_records_the_importing_user(recommendations, author):
    run(HEADER + "48,2018-06-01,Resolved,Done.\n", author)
    assert ProgressUpdate.history.get().history_user == author


def test_each_imported_update_has_its_created_history_row(recommendations, author):
    run(HEADER + "48,2018-06-01,Resolved,Done.\n1,2018-06-01,Ongoing,Going.\n", author)
    for update in ProgressUpdate.objects.all():
        (history,) = update.history.all()
        assert (history.history_type, history.history_user) == ("+", author)
        assert (history.status, history.date, history.text) == (
            update.status,
            update.date,
            update.text,
        )
        assert (history.published, history.entered_by, history.source) == (
            True,
            author,
            "Spreadsheet import",
        )


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("300,2018-06-01,Resolved,Done.", "recommendation: there is no recommendation 300"),
        ("abc,2018-06-01,Resolved,Done.", "recommendation: “abc” is not a recommendation number"),
        (
            "99999999999999999999,2018-06-01,Resolved,Done.",
            "recommendation: there is no recommendation 99999999999999999999",
        ),
        ("-5,2018-06-01,Resolved,Done.", "recommendation: there is no recommendation -5"),
        ("48,2018-06-01,Finished,Done.", "status: unknown status 'Finished'"),
        ("48,2018-02-30,Resolved,Done.", "date: “2018-02-30” is not a date"),
        ("48,1st June,Resolved,Done.", "date: “1st June” is not a date"),
        ("48,2099-01-01,Resolved,Done.", "date: An update cannot be dated in the future."),
        ("48,2015-01-01,Resolved,Done.", "date: An update cannot be dated before"),
        ("48,2018-06-01,Resolved,  ", "update: the update text is empty"),
        ("48,,Resolved,Done.", "date: no date"),
        ("48,2018-06-01,Ongoing,Work goes on.", "it repeats line 2 of the file"),
    ],
)
def test_a_bad_row_is_named_by_line_and_nothing_is_written(recommendations, author, row, reason):
    text = HEADER + "48,2018-06-01,Ongoing,Work goes on.\n1,2018-06-01,Resolved,Done.\n" + row
    report = run(text, author)
    assert not report.ok
    assert [p.line for p in report.problems] == [4]
    assert str(report.problems[0]).startswith(f"Line 4: {reason}")
    assert not ProgressUpdate.objects.exists()
    assert Recommendation.objects.get(number=1).status == Status.ONGOING


def test_every_bad_row_is_listed(recommendations, author):
    report = run(
        HEADER + "300,2018-06-01,Resolved,x\n48,2018-06-01,Resolved,ok\n2,bad,Nope,\n", author
    )
    assert [p.line for p in report.problems] == [2, 4, 4, 4]
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "recommendation,date,status\n",
        "number,date,status,update\n",
        "recommendation,date,status,update,notes\n",
        "recommendation,date,date,status,update\n",
    ],
)
def test_wrong_columns_are_refused(recommendations, author, header):
    cells = ["48", "2018-06-01", "Resolved", "Done.", "x"][: header.count(",") + 1]
    report = run(header + ",".join(cells) + "\n", author)
    assert not report.ok
    assert report.problems[0].line is None
    assert "The file's columns are wrong" in str(report.problems[0])
    assert len(report.problems) == 1
    assert not ProgressUpdate.objects.exists()


def test_an_update_already_recorded_is_unchanged_not_duplicated(recommendations, author):
    ProgressUpdateFactory(
        recommendation=recommendations[3], date=datetime.date(2018, 6, 1), status="resolved",
        text="All crews trained.",
    )  # fmt: skip
    report = run(HEADER + "48,01/06/2018,RESOLVED,All crews trained.\n", author)
    assert report.ok
    assert (report.new, report.unchanged) == (0, 1)
    assert ProgressUpdate.objects.count() == 1


def test_a_row_that_repeats_a_draft_is_unchanged_not_added(recommendations, author):
    ProgressUpdateFactory(
        recommendation=recommendations[0],
        date=datetime.date(2018, 1, 1),
        status=Status.RESOLVED,
        text="Done.",
        published=False,
    )
    report = run(HEADER + "1,2018-01-01,Resolved,Done.\n", author, publish=True)
    assert (report.ok, report.new, report.unchanged) == (True, 0, 1)
    assert ProgressUpdate.objects.filter(recommendation=recommendations[0]).count() == 1


def test_a_row_that_repeats_a_withdrawn_update_is_a_new_update(recommendations, author):
    ProgressUpdateFactory(
        recommendation=recommendations[0],
        date=datetime.date(2018, 1, 1),
        status=Status.RESOLVED,
        text="Done.",
        published=False,
        withdrawn_at=datetime.datetime(2018, 2, 1, tzinfo=datetime.UTC),
        withdrawal_reason="Entered on the wrong recommendation",
    )
    report = run(HEADER + "1,2018-01-01,Resolved,Done.\n", author, publish=True)
    assert (report.ok, report.new, report.unchanged) == (True, 1, 0)
    assert Recommendation.objects.get(number=1).status == Status.RESOLVED


def test_the_same_drafts_file_imported_twice_adds_nothing_the_second_time(recommendations, author):
    text = HEADER + "48,2018-06-01,Resolved,Done.\n1,2018-06-01,Ongoing,Going.\n"
    first = run(text, author, publish=False)
    second = run(text, author, publish=False)
    assert (first.new, second.new, second.unchanged) == (2, 0, 2)
    assert ProgressUpdate.objects.drafts().count() == 2


def test_the_same_file_imported_twice_adds_nothing_the_second_time(recommendations, author):
    text = HEADER + "48,2018-06-01,Resolved,Done.\n1,2018-06-01,Ongoing,Going.\n\n"
    first = run(text, author)
    second = run(text, author)
    assert (first.new, first.unchanged, first.blank) == (2, 0, 1)
    assert (second.new, second.unchanged) == (0, 2)
    assert ProgressUpdate.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        ("\ufeff" + HEADER + "48,2018-06-01,Resolved,Café réopened – done.\n", "utf-8"),
        (HEADER + "48,2018-06-01,Resolved,Café réopened – done.\n", "utf-8"),
        (HEADER + "48,2018-06-01,Resolved,Café réopened – done.\n", "cp1252"),
        (
            "recommendation;date;status;update\r\n"
            "48;01/06/2018;resolved;Café réopened – done.\r\n",
            "cp1252",
        ),
    ],
)
def test_csv_as_spreadsheets_save_it(recommendations, author, content, encoding):
    report = run(content, author, encoding=encoding)
    assert report.ok, report.problems
    assert ProgressUpdate.objects.get().text == "Café réopened – done."


def test_a_quoted_update_keeps_its_commas_and_lines(recommendations, author):
    report = run(HEADER + '48,2018-06-01,Resolved,"Trained, tested;\nand audited."\n', author)
    assert report.ok
    assert ProgressUpdate.objects.get().text == "Trained, tested;\nand audited."


@pytest.mark.parametrize(
    ("rows", "line"),
    [
        # Issue 22, item 12: line 3 was read into line 2's update, and 1 row imported.
        ('48,2018-06-01,Resolved,"All crews trained.\n1,2018-06-01,Ongoing,Work goes on.\n', 2),
        # A quote that closes further down, inside another row's cell.
        ('48,2018-06-01,Resolved,"Trained.\n1,2018-06-01,Ongoing,Work "goes" on.\n', 2),
        # After a cell that rightly spans two lines, the line is still the file's.
        ('48,2018-06-01,Resolved,"Trained,\ntested."\n1,2018-06-01,Ongoing,"Going.\n', 4),
    ],
)
def test_an_unclosed_quote_is_refused_naming_the_line_it_began(
    recommendations, author, rows, line
):
    report = run(HEADER + rows, author)
    assert [str(p) for p in report.problems] == [
        f"Line {line}: a quoted cell that begins on this line has no closing quote where one "
        "is expected, so the lines after it would be read into it. Close the quote (write a "
        'quote inside a cell as "") and upload the file again.'
    ]
    assert not ProgressUpdate.objects.exists()


def test_the_admin_preview_refuses_an_unclosed_quote(client, recommendations, author):
    client.force_login(author)
    upload = csv_file(HEADER + '48,2018-06-01,Resolved,"Done.\n1,2018-06-01,Ongoing,Going.\n')
    response = client.post(IMPORT_URL, {"import_file": upload, "publication": "draft"})
    assert "Line 2: a quoted cell that begins on this line has no closing quote" in (
        response.content.decode()
    )
    assert "confirm_form" not in response.context


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_date_and_number_cells(recommendations, author):
    data = xlsx_bytes(
        [
            ["Recommendation", "Date", "Status", "Update"],
            [48, datetime.datetime(2018, 6, 1), "Resolved by other means", "Done another way."],
            [1.0, "31/10/2017", "Ongoing", "Going."],
        ]
    )
    report = import_updates(
        dataset_or_file=SimpleUploadedFile("u.xlsx", data), user=author, publish=True
    )
    assert report.ok, report.problems
    assert Recommendation.objects.get(number=48).status == Status.RESOLVED_BY_OTHER_MEANS
    assert ProgressUpdate.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"recommendation,date,status,update\n", "upload a .csv or .xlsx"),
        ("report.pdf", b"%PDF-1.4\n\x00\x01binary", "upload a .csv or .xlsx"),
        ("fake.xlsx", b"recommendation,date\n", "not an Excel workbook"),
        ("binary.csv", b"\x00\x01\x02PK", "not a CSV file"),
        ("empty.csv", b"", "The file is empty"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused(author, name, content, message):
    report = import_updates(
        dataset_or_file=SimpleUploadedFile(name, content), user=author, publish=True
    )
    assert not report.ok
    assert message in str(report.problems[0])


def test_an_oversize_upload_is_refused(settings, recommendations, author):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    report = run(HEADER + "48,2018-06-01,Resolved," + "x" * 200 + "\n", author)
    assert not report.ok
    assert "the largest accepted is" in str(report.problems[0])
    assert not ProgressUpdate.objects.exists()


def test_ten_thousand_rows_with_one_bad_write_nothing(author):
    Recommendation.objects.bulk_create(
        [Recommendation(number=n, text=f"Recommendation {n}") for n in range(1, 128)]
    )
    start = datetime.date(2017, 1, 1)
    lines = [
        f"{i % 127 + 1},{start + datetime.timedelta(days=i // 127)},Ongoing,Update {i}"
        for i in range(10_000)
    ]
    lines[7_321] = "7321,2018-01-01,Ongoing,No such recommendation"
    report = run(HEADER + "\n".join(lines) + "\n", author)
    assert [str(p) for p in report.problems] == [
        "Line 7323: recommendation: there is no recommendation 7321"
    ]
    assert not ProgressUpdate.objects.exists()
    assert not ProgressUpdate.history.exists()


def _lookup_queries(captured) -> int:
    """Queries that look a row's recommendation, organisation or user up (by number, slug or
    name) — not the re-read of a recommendation's position after its update is saved."""
    tables = ('"recommendations_recommendation"', '"recommendations_organisation"', '"auth_user"')
    keys = ('"number"', '"slug"', '"username"', '"acronym"', '"name"')
    return sum(
        1
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT")
        and re.search("FROM (" + "|".join(tables) + ")", q["sql"])
        and any(key in q["sql"].split("WHERE", 1)[-1] for key in keys)
    )


def test_lookups_do_not_grow_with_the_rows(author, django_assert_max_num_queries):
    Recommendation.objects.bulk_create(
        [Recommendation(number=n, text=f"Recommendation {n}") for n in range(1, 128)]
    )

    def rows(count):
        return HEADER + "".join(
            f"{i % 127 + 1},2018-01-{i // 127 + 1:02d},Ongoing,Update {i}\n" for i in range(count)
        )

    counts = {}
    for size in (10, 200):
        with CaptureQueriesContext(connection) as captured:
            assert run(rows(size), author, publish=False).ok
        counts[size] = (len(captured.captured_queries), _lookup_queries(captured))
        ProgressUpdate.objects.all().delete()
    assert counts[10][1] == counts[200][1], "lookups must be made once per file"
    # The writes are bulk too: the updates and their history rows take one INSERT per batch
    # (SQLite's batches are small: ~90 rows), the positions one UPDATE whatever the rows.
    assert counts[200][0] - counts[10][0] <= 190 // 20


# The admin's preview-then-confirm flow.


def test_the_admin_previews_then_imports(client, recommendations, author):
    client.force_login(author)
    upload = csv_file(HEADER + "48,2018-06-01,Resolved,Done.\n1,2018-06-01,Ongoing,Going.\n")
    response = client.post(IMPORT_URL, {"import_file": upload, "publication": "publish"})
    assert response.status_code == 200
    assert b"2 new updates, 0 unchanged" in response.content
    assert not ProgressUpdate.objects.exists()  # a preview writes nothing
    confirm = response.context["confirm_form"]
    data = {name: confirm[name].value() for name in confirm.fields}
    response = client.post(CONFIRM_URL, data)
    assert response.status_code == 302
    assert ProgressUpdate.objects.published().count() == 2
    assert Recommendation.objects.get(number=48).status == Status.RESOLVED
    assert {h.history_user for h in ProgressUpdate.history.all()} == {author}


def test_the_admin_preview_lists_every_problem_and_offers_no_confirm(
    client, recommendations, author
):
    client.force_login(author)
    upload = csv_file(HEADER + "300,2018-06-01,Resolved,Done.\n48,2018-06-01,Nope,\n")
    response = client.post(IMPORT_URL, {"import_file": upload, "publication": "draft"})
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    content = response.content.decode()
    assert "Line 2: recommendation: there is no recommendation 300" in content
    assert "Line 3: status: unknown status" in content
    assert "Line 3: update: the update text is empty" in content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"x", "upload a .csv or .xlsx file"),
        ("scan.pdf", b"%PDF", "upload a .csv or .xlsx file"),
        ("big.csv", b"x" * 2000, "the largest accepted is"),
        ("ragged.csv", HEADER.encode() + b"1,2018-01-01,Ongoing,text,extra\n", "Line 2 has 5"),
        ("fake.xlsx", b"not a workbook", "xlsx"),
    ],
)
def test_the_admin_refuses_other_files_with_a_message(
    client, settings, author, name, content, message
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    client.force_login(author)
    response = client.post(
        IMPORT_URL, {"import_file": SimpleUploadedFile(name, content), "publication": "draft"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "confirm_form" not in response.context


def test_without_the_publish_permission_imports_are_drafts(client, recommendations):
    user = StaffUserFactory(role="Report author")
    user.groups.get().permissions.remove(
        *user.groups.get().permissions.filter(codename="publish_update")
    )
    client.force_login(user)
    upload = csv_file(HEADER + "48,2018-06-01,Resolved,Done.\n")
    response = client.post(IMPORT_URL, {"import_file": upload, "publication": "publish"})
    assert "publication" in response.context["form"].errors
    upload = csv_file(HEADER + "48,2018-06-01,Resolved,Done.\n")
    response = client.post(IMPORT_URL, {"import_file": upload, "publication": "draft"})
    confirm = response.context["confirm_form"]
    data = {name: confirm[name].value() for name in confirm.fields}
    client.post(CONFIRM_URL, {**data, "publication": "publish"})  # forged: refused
    assert not ProgressUpdate.objects.exists()
    client.post(CONFIRM_URL, data)
    assert ProgressUpdate.objects.get().published is False


# The round trips, and the board actions resource (wired into the boards admin elsewhere).


def test_recommendations_round_trip(author):
    mps, mopac = OrganisationFactory(slug="mps"), OrganisationFactory(slug="mopac")
    recommendation = RecommendationFactory(number=5, text="=Train everyone")
    OwnershipFactory(recommendation=recommendation, organisation=mps, is_lead=True)
    dataset = RecommendationResource().export(Recommendation.objects.all())
    assert dataset.dict[0]["owners"] == "mps"
    assert dataset.dict[0]["text"] == "'=Train everyone"
    row = dict(dataset.dict[0], owners="mps; mopac", lead_owner="mopac")
    changed = tablib.Dataset(headers=dataset.headers)
    changed.append([row[h] for h in dataset.headers])
    result = RecommendationResource(user=author).import_data(
        changed, use_transactions=True, rollback_on_validation_errors=True, user=author
    )
    assert not result.has_errors() and not result.has_validation_errors()
    recommendation.refresh_from_db()
    assert recommendation.text == "=Train everyone"
    assert recommendation.lead_owner == mopac
    assert set(recommendation.owners.all()) == {mps, mopac}
    assert recommendation.history.latest().history_user == author


def test_a_recommendation_import_with_an_unknown_owner_writes_nothing(author):
    RecommendationFactory(number=5, text="Train")
    dataset = tablib.Dataset(
        headers=["number", "section", "text", "made_on", "owners", "lead_owner"]
    )
    dataset.append([5, "other", "Changed", "2016-10-31", "nobody", ""])
    result = RecommendationResource().import_data(
        dataset, use_transactions=True, rollback_on_validation_errors=True
    )
    assert result.has_validation_errors()
    assert Recommendation.objects.get(number=5).text == "Train"


def test_organisations_round_trip():
    OrganisationFactory(slug="mps", name="Metropolitan Police Service", acronym="MPS")
    dataset = OrganisationResource().export(Organisation.objects.all())
    dataset.append(["lfb", "London Fire Brigade", "LFB"])
    result = OrganisationResource().import_data(
        dataset, use_transactions=True, rollback_on_validation_errors=True
    )
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 1
    assert Organisation.objects.get(slug="lfb").name == "London Fire Brigade"


def test_board_actions_import_and_round_trip(author):
    meeting = MeetingFactory(board__slug="contest", date=datetime.date(2017, 1, 18))
    mps = OrganisationFactory(slug="mps")
    existing = ActionFactory(meeting=meeting, reference="Action 1", text="Old text")
    dataset = tablib.Dataset(headers=list(ActionResource.Meta.fields))
    dataset.append(["contest", "18/01/2017", "Action 1", "New text", "mps", "2017-04-21", "Done"])
    dataset.append(["contest", "2017-01-18", "Action 2", "Another", "", "", "Open"])
    result = ActionResource(user=author).import_data(
        dataset, use_transactions=True, rollback_on_validation_errors=True, user=author
    )
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    existing.refresh_from_db()
    assert (existing.text, existing.status) == ("New text", Action.Status.DONE)
    assert list(existing.owners.all()) == [mps]
    assert existing.history.latest().history_user == author
    assert Action.objects.get(reference="Action 2").due_date is None
    exported = ActionResource().export(Action.objects.all())
    assert exported.dict[0]["board"] == "contest"


def test_board_actions_with_a_bad_row_write_nothing():
    MeetingFactory(board__slug="contest", date=datetime.date(2017, 1, 18))
    dataset = tablib.Dataset(headers=list(ActionResource.Meta.fields))
    dataset.append(["contest", "2017-01-18", "Action 1", "Fine", "", "", "Open"])
    dataset.append(["lcrb", "2017-01-18", "Action 2", "No such meeting", "", "", "Open"])
    dataset.append(["contest", "2017-01-18", "Action 3", "Bad status", "", "", "Maybe"])
    result = ActionResource().import_data(
        dataset, use_transactions=True, rollback_on_validation_errors=True
    )
    problems = {row.number: row.error_dict for row in result.invalid_rows}
    assert "there is no meeting of board “lcrb”" in problems[2]["meeting_date"][0]
    assert "unknown status" in problems[3]["status"][0]
    assert not Action.objects.exists()


def test_recommendations_round_trip_through_the_admin(client):
    # Only a superuser may correct the Review's words (see the tests below).
    client.force_login(StaffUserFactory(role="Report author", is_superuser=True))
    recommendation = RecommendationFactory(number=5, text="Train everyone.")
    OwnershipFactory(recommendation=recommendation, organisation__slug="mps")
    columns = [f.column_name for f in RecommendationResource().get_export_fields()]
    response = client.post(
        "/admin/recommendations/recommendation/export/",
        {"format": "0", "resource": "1", **{f"recommendationresource_{c}": "on" for c in columns}},
    )
    exported = body(response).replace(b"Train everyone.", b"Train everyone twice.")
    response = client.post(
        "/admin/recommendations/recommendation/import/",
        {"import_file": SimpleUploadedFile("r.csv", exported), "resource": "0"},
    )
    confirm = response.context["confirm_form"]
    response = client.post(
        "/admin/recommendations/recommendation/process_import/",
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    assert Recommendation.objects.get(number=5).text == "Train everyone twice."


# The Review's own words: the import keeps the change form's rule (issue 22, item 1).

RECOMMENDATIONS_HEADER = "number,section,text,made_on,owners,lead_owner\n"
RECOMMENDATIONS_IMPORT_URL = "/admin/recommendations/recommendation/import/"
RECOMMENDATIONS_CONFIRM_URL = "/admin/recommendations/recommendation/process_import/"


@pytest.fixture
def recommendation_5():
    recommendation = RecommendationFactory(
        number=5, text="The MPS should train.", made_on=datetime.date(2016, 10, 31)
    )
    OwnershipFactory(recommendation=recommendation, organisation__slug="mps")
    OrganisationFactory(slug="lfb")
    return recommendation


def _import_recommendations(client, text: str):
    """The admin's preview of `text`, then its confirmation if it offered one."""
    upload = SimpleUploadedFile("r.csv", text.encode(), content_type="text/csv")
    response = client.post(RECOMMENDATIONS_IMPORT_URL, {"import_file": upload, "resource": "0"})
    assert response.status_code == 200
    confirm = response.context.get("confirm_form")
    if confirm is not None:
        data = {name: confirm[name].value() for name in confirm.fields}
        client.post(RECOMMENDATIONS_CONFIRM_URL, data)
    return response


def test_a_report_author_cannot_rewrite_the_reviews_words_by_import(client, recommendation_5):
    client.force_login(StaffUserFactory(role="Report author"))
    response = _import_recommendations(
        client, RECOMMENDATIONS_HEADER + "5,other,REVIEW TEXT REWRITTEN,2016-10-01,mps,mps\n"
    )
    content = response.content.decode()
    assert "confirm_form" not in response.context
    assert "Line 2: text: it would change the text of recommendation 5" in content
    assert "Line 2: made_on: it would change the date made of recommendation 5" in content
    recommendation_5.refresh_from_db()
    assert recommendation_5.text == "The MPS should train."
    assert recommendation_5.made_on == datetime.date(2016, 10, 31)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("5,other,Rewritten.,2016-10-31,mps,mps", "text"),
        ("5,mayor,The MPS should train.,2016-10-31,mps,mps", "section"),
        ("5,other,The MPS should train.,2017-01-01,mps,mps", "made_on"),
    ],
)
def test_each_of_the_reviews_words_is_refused_by_name_and_line(
    author, recommendation_5, row, field
):
    """The rule holds in the resource, whoever calls it: not only the admin's form."""
    dataset = tablib.Dataset(headers=RECOMMENDATIONS_HEADER.strip().split(","))
    dataset.append(["5", "other", "The MPS should train.", "2016-10-31", "mps", "mps"])
    dataset.append(row.split(","))
    result = RecommendationResource(user=author).import_data(
        dataset, use_transactions=True, rollback_on_validation_errors=True, user=author
    )
    problems = [str(p) for p in import_report(result).problems]
    assert len(problems) == 1
    assert problems[0].startswith(f"Line 3: {field}: it would change the ")
    assert "only a superuser may correct them" in problems[0]
    assert Recommendation.objects.get(number=5).history.count() == 1


def test_a_report_author_still_imports_owners_and_lead_owner(client, recommendation_5):
    client.force_login(StaffUserFactory(role="Report author"))
    response = _import_recommendations(
        client, RECOMMENDATIONS_HEADER + "5,other,The MPS should train. ,31/10/2016,mps;lfb,lfb\n"
    )
    assert "confirm_form" in response.context
    recommendation_5.refresh_from_db()
    assert recommendation_5.lead_owner.slug == "lfb"
    assert {o.slug for o in recommendation_5.owners.all()} == {"mps", "lfb"}
    assert recommendation_5.text == "The MPS should train."


def test_a_report_author_cannot_add_a_recommendation_by_import(client, recommendation_5):
    client.force_login(StaffUserFactory(role="Report author"))
    response = _import_recommendations(
        client, RECOMMENDATIONS_HEADER + "6,other,A new one.,2016-10-31,mps,mps\n"
    )
    assert "Line 2: number: there is no recommendation 6" in response.content.decode()
    assert not Recommendation.objects.filter(number=6).exists()


def test_a_superuser_may_correct_the_reviews_words_by_import(client, recommendation_5):
    client.force_login(StaffUserFactory(role="Report author", is_superuser=True))
    _import_recommendations(
        client, RECOMMENDATIONS_HEADER + "5,mayor,The MPS should train all.,2016-10-30,mps,mps\n"
    )
    recommendation_5.refresh_from_db()
    assert recommendation_5.text == "The MPS should train all."
    assert recommendation_5.section == "mayor"
    assert recommendation_5.made_on == datetime.date(2016, 10, 30)


# Round trips through real files: what an export guards with `'`, the import takes off.


def _through_file(resource, queryset, file_format) -> tablib.Dataset:
    from recommendations.spreadsheets import SpreadsheetCSV, SpreadsheetXLSX

    exported = file_format().export_data(resource.export(queryset))
    if isinstance(exported, str):
        exported = exported.encode("utf-8")
    reader = SpreadsheetCSV if file_format().get_extension() == "csv" else SpreadsheetXLSX
    return reader().create_dataset(exported)


@pytest.mark.parametrize("file_format", [CSV, XLSX], ids=["csv", "xlsx"])
def test_an_organisation_export_imported_back_is_unchanged(file_format):
    OrganisationFactory(slug="odd", name="-2+3 org", acronym="=A")
    OrganisationFactory(slug="plain", name="'Tis an org", acronym="TIS")
    dataset = _through_file(OrganisationResource(), Organisation.objects.all(), file_format)
    assert "'-2+3 org" in dataset["name"]
    result = OrganisationResource().import_data(
        dataset, use_transactions=True, rollback_on_validation_errors=True
    )
    assert not result.has_errors() and not result.has_validation_errors()
    assert Organisation.objects.get(slug="odd").name == "-2+3 org"
    assert Organisation.objects.get(slug="odd").acronym == "=A"
    assert Organisation.objects.get(slug="plain").name == "'Tis an org"


@pytest.mark.parametrize("file_format", [CSV, XLSX], ids=["csv", "xlsx"])
def test_recommendation_and_action_exports_imported_back_are_unchanged(author, file_format):
    recommendation = RecommendationFactory(number=5, text="+44 is the code to call")
    OwnershipFactory(recommendation=recommendation, organisation__slug="mps")
    action = ActionFactory(reference="-1", text="@MPS to report")
    dataset = _through_file(RecommendationResource(), Recommendation.objects.all(), file_format)
    result = RecommendationResource(user=author).import_data(
        dataset, use_transactions=True, rollback_on_validation_errors=True, user=author
    )
    assert not result.has_errors() and not result.has_validation_errors()
    dataset = _through_file(ActionResource(), Action.objects.all(), file_format)
    result = ActionResource(user=author).import_data(
        dataset, use_transactions=True, rollback_on_validation_errors=True, user=author
    )
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    assert Recommendation.objects.get(number=5).text == "+44 is the code to call"
    action.refresh_from_db()
    assert (action.reference, action.text) == ("-1", "@MPS to report")
    assert Action.objects.count() == 1
