"""Control characters never reach the database, whichever way text is written."""

import datetime

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from boards.models import Action, Board
from boards.resources import ActionResource
from recommendations.fields import clean_text
from recommendations.imports import import_updates
from recommendations.models import Organisation, ProgressUpdate, Status
from recommendations.services import record_update
from tests.factories import (
    MeetingFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

DIRTY = "Crews\x0b trained\x1f at\x08 last.\r\nNext:\tdrills\x7f.\rDone."
CLEAN = "Crews trained at last.\nNext:\tdrills.\nDone."


def test_clean_text_keeps_tab_and_newline_and_drops_other_controls():
    assert clean_text(DIRTY) == CLEAN
    assert clean_text("\x00\ufffe\uffff") == ""
    assert clean_text(None) is None


def test_a_control_character_typed_in_the_admin_is_not_stored(client):
    client.force_login(StaffUserFactory(role="MOPAC officer"))
    response = client.post(
        "/admin/recommendations/organisation/add/",
        {"name": "London\x0b Fire\x1f Brigade", "acronym": "LFB\x08", "slug": "lfb"},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(slug="lfb")
    assert (organisation.name, organisation.acronym) == ("London Fire Brigade", "LFB")


def test_a_control_character_typed_in_the_boards_admin_is_not_stored(client):
    client.force_login(StaffUserFactory(role="Board secretariat"))
    response = client.post(
        "/admin/boards/board/add/",
        {"name": "London\x0b Prevent Board", "slug": "prevent", "purpose": DIRTY},
    )
    assert response.status_code == 302
    board = Board.objects.get(slug="prevent")
    assert (board.name, board.purpose) == ("London Prevent Board", CLEAN)


def test_a_control_character_in_an_import_is_not_stored_and_the_feeds_answer(client):
    RecommendationFactory(number=48)
    data = b"recommendation,date,status,update\n48,2018-06-01,Ongoing,Crews\x0b trained\x1f.\n"
    report = import_updates(
        dataset_or_file=SimpleUploadedFile("u.csv", data),
        user=StaffUserFactory(role="Report author"),
        publish=True,
    )
    assert report.ok, report.problems
    assert ProgressUpdate.objects.get().text == "Crews trained."
    assert client.get("/updates/feed/").status_code == 200
    assert client.get("/recommendations/48/feed/").status_code == 200


def test_a_control_character_in_an_action_import_is_not_stored():
    MeetingFactory(board__slug="contest", date=datetime.date(2017, 1, 18))
    dataset = tablib.Dataset(headers=list(ActionResource.Meta.fields))
    dataset.append(["contest", "2017-01-18", "Action\x0b 1", "Report\x08 back", "", "", "Open"])
    result = ActionResource().import_data(
        dataset, use_transactions=True, rollback_on_validation_errors=True
    )
    assert not result.has_errors() and not result.has_validation_errors()
    action = Action.objects.get()
    assert (action.reference, action.text) == ("Action 1", "Report back")


def test_a_control_character_in_a_service_call_is_not_stored():
    recommendation = RecommendationFactory(number=48)
    update = record_update(
        recommendation=recommendation,
        date=datetime.date(2018, 6, 1),
        text=DIRTY,
        status=Status.ONGOING,
        source="Return\x0b from LFB",
    )
    update.refresh_from_db()
    assert (update.text, update.source) == (CLEAN, "Return from LFB")
    recommendation.refresh_from_db()
    assert recommendation.latest_update.text == CLEAN
    assert update.history.latest().text == CLEAN


def test_bulk_writes_store_clean_text_too():
    recommendation = RecommendationFactory(number=48)
    (created,) = ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(
                recommendation=recommendation,
                date=datetime.date(2018, 6, 1),
                text="Bulk\x0b",
                status=Status.ONGOING,
            )
        ]
    )
    assert ProgressUpdate.objects.get(pk=created.pk).text == "Bulk"
    update = ProgressUpdateFactory(recommendation=recommendation)
    ProgressUpdate.objects.filter(pk=update.pk).update(text="Updated\x1f")
    assert ProgressUpdate.objects.get(pk=update.pk).text == "Updated"
