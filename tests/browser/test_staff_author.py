"""A report author exports the position as at a date and imports a file of updates, seeing
in the preview which status the file will change."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from recommendations.exports import build_export
from recommendations.models import PreparedExport, Recommendation, Status
from tests.browser.roles import make_roles, sign_in
from tests.factories import StaffUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "right password here"
EXPORT = "/admin/recommendations/recommendation/export/"
IMPORT = "/admin/recommendations/progressupdate/import/"


@pytest.fixture
def author(page, live_server, site, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_roles()
    StaffUserFactory(username="author", password=PASSWORD, role="Report author")
    sign_in(page, live_server, "author", PASSWORD)
    return page


def test_the_author_exports_the_position_as_at_a_date(author, live_server):
    page = author
    page.goto(live_server.url + EXPORT)
    page.fill("#id_position_as_at", "31/10/2017")
    page.select_option("#id_format", label="xlsx")
    page.click("input[type=submit]")
    expect(page.get_by_text("is being prepared")).to_be_visible()
    (export,) = PreparedExport.objects.all()
    build_export.call(export.pk)  # as the task worker does
    page.locator(".messagelist").get_by_role("link", name="Your exports").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download harris-review-position-2017-10-31.xlsx").click()
    assert download.value.suggested_filename == "harris-review-position-2017-10-31.xlsx"
    saved = download.value.path()
    sheet = openpyxl.load_workbook(io.BytesIO(saved.read_bytes())).active
    assert sheet.title == "Position at 2017-10-31"
    header, *rows = sheet.values
    assert header[:4] == ("Number", "Recommendation", "Section", "Status")
    r32 = next(row for row in rows if row[0] == 32)  # a number, as Excel sorts numbers
    assert (r32[1], r32[3]) == ("The MPS should exercise with partners.", "Resolved")


def test_the_author_imports_an_update_seeing_the_status_change_first(
    author, live_server, tmp_path
):
    page = author
    upload = tmp_path / "updates.csv"
    upload.write_text("recommendation,date,status,update\n13,2018-06-01,Resolved,Done.\n")
    page.goto(live_server.url + IMPORT)
    page.set_input_files("#id_import_file", str(upload))
    assert page.is_checked("input[name=publication][value=publish]")
    page.click("input[type=submit]")

    expect(page.get_by_text("13: Ongoing → Resolved")).to_be_visible()
    assert Recommendation.objects.get(number=13).status == Status.ONGOING  # not yet

    page.get_by_role("button", name="Confirm import").click()
    page.wait_for_url("**/progressupdate/")
    expect(page.get_by_text("Import finished")).to_be_visible()
    assert Recommendation.objects.get(number=13).status == Status.RESOLVED
