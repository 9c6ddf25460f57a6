"""Two people editing the boards' records: a page saved after someone else's change is
refused with what was typed still on it, and above all never clears a confidential tick
that it did not show."""

import threading

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client

from boards.models import Action, AgendaItem, Board, Meeting
from boards.services import carry_forward_open_actions
from recommendations.models import Organisation, ProgressUpdate
from tests.boards.test_admin import MEETINGS, change_page_data, errors_on_page
from tests.factories import (
    ActionFactory,
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    UserFactory,
)
from tests.helpers import management_form

pytestmark = pytest.mark.django_db

STALE = "since you opened"


@pytest.fixture
def secretariat(client):
    client.force_login(UserFactory(username="secretariat", is_superuser=True))
    return client


@pytest.fixture
def colleague(client):
    """A second officer, in a client of their own."""
    other = Client()
    other.force_login(UserFactory(username="colleague", is_superuser=True))
    return other


@pytest.fixture
def meeting():
    meeting = MeetingFactory(place="City Hall")
    item = AgendaItemFactory(meeting=meeting, number=3, title="Threat briefing")
    ActionFactory(meeting=meeting, reference="Action 1", agenda_item=item)
    return Meeting.objects.get(pk=meeting.pk)


def change_url(obj) -> str:
    opts = obj._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/"


def own_page_data(client, obj) -> dict:
    """A record's own change page as the browser would post it back unchanged."""
    response = client.get(change_url(obj))
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False or value == "":
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


def tick_confidential_on_its_own_page(client, obj) -> None:
    data = own_page_data(client, obj)
    data["confidential"] = "on"
    response = client.post(change_url(obj), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.mark.parametrize("model", [AgendaItem, Action])
def test_a_meeting_page_opened_before_a_row_turned_confidential_is_refused(
    secretariat, colleague, meeting, model
):
    stale = change_page_data(secretariat, meeting)
    tick_confidential_on_its_own_page(colleague, model.objects.get(meeting=meeting))

    stale["place"] = "Committee Room 4"
    response = secretariat.post(f"{MEETINGS}{meeting.pk}/change/", stale)

    assert response.status_code == 200
    # The meeting's own fields were left alone by the colleague: the row is what refuses it.
    assert any(STALE in e for e in errors_on_page(response))
    assert 'value="Committee Room 4"' in response.content.decode()  # what was typed stays
    assert model.objects.get(meeting=meeting).confidential
    assert Meeting.objects.get(pk=meeting.pk).place == "City Hall"


def test_an_item_changed_behind_the_meetings_back_is_refused_on_its_own_row(secretariat, meeting):
    """Each inline row carries its version too, whatever moved the meeting's."""
    stale = change_page_data(secretariat, meeting)
    AgendaItem.objects.filter(meeting=meeting).update(confidential=True, version=F("version") + 1)

    response = secretariat.post(f"{MEETINGS}{meeting.pk}/change/", stale)

    assert response.status_code == 200
    assert "Someone else changed Item 3: Threat briefing since you opened this page" in (
        " ".join(errors_on_page(response))
    )
    assert AgendaItem.objects.get(meeting=meeting).confidential


def test_an_item_made_confidential_on_the_meeting_page_refuses_the_other_open_copy(
    secretariat, colleague, meeting
):
    first, second = change_page_data(secretariat, meeting), change_page_data(colleague, meeting)
    first["items-0-confidential"] = "on"
    response = secretariat.post(f"{MEETINGS}{meeting.pk}/change/", first)
    assert response.status_code == 302, errors_on_page(response)

    second["chair"] = "Deputy Mayor"
    response = colleague.post(f"{MEETINGS}{meeting.pk}/change/", second)

    assert response.status_code == 200
    assert AgendaItem.objects.get(meeting=meeting).confidential


def test_carrying_actions_forward_refuses_a_meeting_page_opened_before(secretariat, meeting):
    MeetingFactory(board=meeting.board, date=meeting.date.replace(year=meeting.date.year + 1))
    stale = change_page_data(secretariat, meeting)
    carry_forward_open_actions(meeting=meeting, user=None)

    response = secretariat.post(f"{MEETINGS}{meeting.pk}/change/", stale)

    assert response.status_code == 200
    assert Action.objects.get(meeting=meeting).status == Action.Status.CARRIED_FORWARD


def test_a_meeting_page_saves_when_nothing_changed_meanwhile(secretariat, meeting):
    data = change_page_data(secretariat, meeting)
    data["place"] = "Committee Room 4"
    data["items-0-confidential"] = "on"

    response = secretariat.post(f"{MEETINGS}{meeting.pk}/change/", data)

    assert response.status_code == 302, errors_on_page(response)
    assert Meeting.objects.get(pk=meeting.pk).place == "Committee Room 4"
    assert AgendaItem.objects.get(meeting=meeting).confidential


def board():
    return BoardFactory()


def agenda_item():
    return AgendaItemFactory(title="Threat briefing")


def action():
    return ActionFactory(text="Circulate the principles.")


def organisation():
    return OrganisationFactory(name="London Fire Brigade", acronym="LFB")


def draft_update():
    return ProgressUpdateFactory(published=False, text="Training is planned.")


@pytest.mark.parametrize(
    ("make", "field", "verbose_name"),
    [
        (board, "chair", "board"),
        (agenda_item, "title", "agenda item"),
        (action, "text", "action"),
        (organisation, "name", "organisation"),
        (draft_update, "text", "progress update"),
    ],
)
def test_each_page_refuses_a_save_made_from_a_copy_opened_before_anothers(
    secretariat, colleague, make, field, verbose_name
):
    obj = make()
    first, second = own_page_data(secretariat, obj), own_page_data(colleague, obj)
    first[field] = "First edit"
    assert secretariat.post(change_url(obj), first).status_code == 302

    second[field] = "Second edit"
    response = colleague.post(change_url(obj), second)

    assert response.status_code == 200
    content = response.content.decode()
    assert f"Someone else changed this {verbose_name} since you opened it" in content
    assert "Second edit" in content
    assert getattr(type(obj).objects.get(pk=obj.pk), field) == "First edit"

    # Opened again, the current version saves.
    fresh = own_page_data(colleague, obj)
    fresh[field] = "Second edit"
    assert colleague.post(change_url(obj), fresh).status_code == 302
    assert getattr(type(obj).objects.get(pk=obj.pk), field) == "Second edit"


@pytest.mark.parametrize("model", [Board, Meeting, AgendaItem, Action, Organisation])
def test_an_old_copy_saved_in_code_moves_the_version_on_never_back(model):
    factory = {
        Board: BoardFactory,
        Meeting: MeetingFactory,
        AgendaItem: AgendaItemFactory,
        Action: ActionFactory,
        Organisation: OrganisationFactory,
    }[model]
    obj = factory()
    start = model.objects.get(pk=obj.pk).version
    stale = model.objects.get(pk=obj.pk)
    obj.save()
    stale.save()
    assert model.objects.get(pk=obj.pk).version == start + 2


def test_publishing_a_draft_moves_its_version_on():
    from recommendations.services import publish_update

    update = ProgressUpdateFactory(published=False)
    start = ProgressUpdate.objects.get(pk=update.pk).version
    publish_update(update=update, user=None)
    assert ProgressUpdate.objects.get(pk=update.pk).version > start


def test_new_rows_save_with_the_empty_version_inputs_a_browser_sends(secretariat, meeting):
    data = change_page_data(secretariat, meeting)
    data.update(management_form("items", 2, 1))
    data.update({"items-1-number": "4", "items-1-title": "Any other business",
                 "items-1-version": ""})  # fmt: skip
    data.update(management_form("actions", 2, 1))
    data.update({"actions-1-reference": "Action 2", "actions-1-text": "Report back.",
                 "actions-1-status": "open", "actions-1-version": ""})  # fmt: skip

    response = secretariat.post(f"{MEETINGS}{meeting.pk}/change/", data)

    assert response.status_code == 302, errors_on_page(response)
    assert AgendaItem.objects.get(meeting=meeting, number=4).version == 1
    assert Action.objects.get(meeting=meeting, reference="Action 2").version == 1

    response = secretariat.post(
        "/admin/boards/agendaitem/add/",
        {"meeting": str(meeting.pk), "number": "5", "title": "Close", "version": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors


def post_at_once(posts: list[tuple[Client, str, dict]]) -> list[int]:
    """Post each (client, url, data) from a thread of its own, all at the same moment."""
    statuses = []
    barrier = threading.Barrier(len(posts))

    def save(client, url, data):
        try:
            barrier.wait()
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_a_meeting_save_racing_a_confidential_tick_never_clears_it():
    """The item page and the meeting page saved at the same moment, again and again: the
    row locks are taken in one order, so one waits for the other, neither deadlocks, and
    the tick is never lost."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with row locks and concurrent connections")
    users = [UserFactory(is_superuser=True) for _ in range(2)]
    clients = [Client(), Client()]
    for client, user in zip(clients, users, strict=True):
        client.force_login(user)

    for trial in range(10):
        meeting = MeetingFactory(place="City Hall")
        item = AgendaItemFactory(meeting=meeting, number=3, title="Threat briefing")
        meeting_page = change_page_data(clients[0], meeting)
        meeting_page["place"] = f"Room {trial}"
        item_page = own_page_data(clients[1], item)
        item_page["confidential"] = "on"
        posts = [
            (clients[0], f"{MEETINGS}{meeting.pk}/change/", meeting_page),
            (clients[1], change_url(item), item_page),
        ]
        statuses = post_at_once(posts)

        assert sorted(statuses) in ([200, 302], [302, 302]), f"trial {trial}: {statuses}"
        assert AgendaItem.objects.get(pk=item.pk).confidential, f"trial {trial}"
