"""Chasing owners: contact details on the Overdue page, and the chase list as CSV and XLSX."""

import csv
import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import (
    OrganisationFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StaffUserFactory,
)
from tests.helpers import body, prepared_download

pytestmark = pytest.mark.django_db

URL = "/admin/recommendations/recommendation/overdue/"
today = timezone.localdate()
days = datetime.timedelta


@pytest.fixture
def officer(client, settings):
    settings.REPORTING_INTERVAL_DAYS = 100
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    return client


@pytest.fixture
def owners():
    lfb = OrganisationFactory(
        name="London Fire Brigade",
        acronym="LFB",
        contact_name="Sam Patel",
        contact_email="sam.patel@lfb.example",
        contact_phone="020 7587 4000",
    )
    mps = OrganisationFactory(name="Metropolitan Police Service", acronym="MPS")
    quiet = RecommendationFactory(number=14)
    OwnershipFactory(recommendation=quiet, organisation=lfb)
    ProgressUpdateFactory(recommendation=quiet, date=today - days(200))
    late = RecommendationFactory(number=12, target_date=today - days(3))
    OwnershipFactory(recommendation=late, organisation=mps)
    ProgressUpdateFactory(recommendation=late, date=today - days(5))
    fine = RecommendationFactory(number=20)
    OwnershipFactory(recommendation=fine, organisation=OrganisationFactory(name="TfL"))
    ProgressUpdateFactory(recommendation=fine, date=today - days(5))
    return lfb, mps


def test_the_overdue_page_shows_each_owners_contact(officer, owners):
    page = officer.get(URL).content.decode()
    assert "Sam Patel" in page
    assert 'href="mailto:sam.patel@lfb.example"' in page
    assert "020 7587 4000" in page


def test_the_chase_list_downloads_as_csv_with_human_headers(officer, owners):
    response = officer.get(f"{URL}?download=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"harris-review-chase-list-{today.isoformat()}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert rows[0] == [
        "Owner",
        "Contact",
        "Email",
        "Phone",
        "Recommendation",
        "Why chased",
        "Expected completion",
        "Last update",
    ]
    lfb, mps = rows[1], rows[2]
    assert lfb[:5] == [
        "London Fire Brigade (LFB)",
        "Sam Patel",
        "sam.patel@lfb.example",
        "020 7587 4000",
        "14",
    ]
    assert lfb[5] == f"No published update since {today - days(200):%d %B %Y}"
    assert mps[0] == "Metropolitan Police Service (MPS)"
    assert mps[5] == f"Expected by {today - days(3):%d %B %Y}"
    assert mps[6:] == [(today - days(3)).isoformat(), (today - days(5)).isoformat()]
    assert len(rows) == 3  # TfL reported five days ago and is not late


def test_the_chase_list_downloads_as_a_workbook_with_a_title_and_widths(
    officer, owners, run_tasks
):
    with run_tasks():
        response = officer.post(URL, {"download": "xlsx"})
    response = prepared_download(officer, response)
    assert response.status_code == 200
    assert f"chase-list-{today.isoformat()}.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(body(response))).active
    assert sheet.title == f"Chase list {today:%d %b %Y}"
    assert [cell.value for cell in sheet[1]][:2] == ["Owner", "Contact"]
    assert sheet["B2"].value == "Sam Patel"
    assert sheet["E2"].value == 14
    assert all(sheet.column_dimensions[col].width <= 255 for col in "ABCDEFGH")
    assert sheet.column_dimensions["A"].width >= 20


def test_a_contact_that_looks_like_a_formula_is_not_run_by_a_spreadsheet(officer, owners):
    lfb, _ = owners
    lfb.contact_name = '=HYPERLINK("http://evil.example")'
    lfb.save()
    rows = list(csv.reader(io.StringIO(body(officer.get(f"{URL}?download=csv")).decode())))
    assert rows[1][1].startswith("'=")


def test_the_owners_to_chase_filter_lists_those_owners(officer, owners):
    response = officer.get("/admin/recommendations/organisation/?chase=stale")
    assert [o.name for o in response.context["cl"].result_list] == ["London Fire Brigade"]


def test_contact_details_are_edited_on_the_organisations_page(officer, owners):
    lfb, _ = owners
    page = officer.get(f"/admin/recommendations/organisation/{lfb.pk}/change/").content.decode()
    assert 'name="contact_email"' in page
    assert "never shown on the public site" in page
