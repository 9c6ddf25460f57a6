"""The secretariat records meetings in the admin: one page per meeting, actions carried
forward from the list, minutes published one step at a time, bad input refused whole."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages

from boards.models import Action, AgendaItem, Attendance, Meeting
from recommendations.models import Recommendation
from tests.factories import (
    ActionFactory,
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.helpers import body, management_form, prepared_download

pytestmark = pytest.mark.django_db

MEETINGS = "/admin/boards/meeting/"


@pytest.fixture
def secretariat(client):
    user = UserFactory(username="secretariat", is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def _as_post_value(value):
    if isinstance(value, list | tuple):
        return [str(getattr(v, "pk", v)) for v in value]
    return str(getattr(value, "pk", value))


def change_page_data(client, meeting: Meeting) -> dict:
    """The meeting's change page as the browser would post it back unchanged."""
    response = client.get(f"{MEETINGS}{meeting.pk}/change/")
    assert response.status_code == 200
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False or value == "":
                continue
            data[form.add_prefix(name)] = "on" if value is True else _as_post_value(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        count = len(formset.initial_forms)
        data.update(management_form(formset.prefix, count, count))
        for form in formset.initial_forms:
            add(form)
    return data


def errors_on_page(response) -> list[str]:
    """Every error the admin page shows: the meeting form's and each inline's."""
    errors = []
    for field_errors in response.context["adminform"].form.errors.values():
        errors += [str(e) for e in field_errors]
    for inline in response.context["inline_admin_formsets"]:
        errors += [str(e) for e in inline.formset.non_form_errors()]
        for form_errors in inline.formset.errors:
            for messages in form_errors.values():
                errors += [str(e) for e in messages]
    return errors


def new_meeting_data(board, **overrides) -> dict:
    data = {
        "board": str(board.pk),
        "date": "2017-01-18",
        "time": "10:00",
        "place": "City Hall",
        "chair": "Deputy Mayor for Policing and Crime",
        "status": "held",
        "minutes_status": "draft",
        "summary": "",
        "source": "Meeting note",
        **management_form("attendance", 0),
        **management_form("items", 0),
        **management_form("actions", 0),
    }
    data.update(overrides)
    return data


def test_a_meeting_is_recorded_with_attendance_items_and_actions_in_one_post(secretariat):
    board = BoardFactory(name="London CONTEST Board", short_name="CONTEST Board")
    mopac, noms = OrganisationFactory(name="MOPAC"), OrganisationFactory(name="NOMS")
    rec32 = RecommendationFactory(number=32)
    data = new_meeting_data(
        board,
        **management_form("attendance", 2),
        **{
            "attendance-0-order": "1",
            "attendance-0-person": "Deputy Mayor for Policing and Crime",
            "attendance-0-role": "Chair",
            "attendance-0-organisation": str(mopac.pk),
            "attendance-0-kind": "member",
            "attendance-0-present": "on",
            "attendance-1-order": "2",
            "attendance-1-person": "Guest speaker",
            "attendance-1-organisation": str(noms.pk),
            "attendance-1-kind": "guest",
            "attendance-1-present": "on",
        },
        **management_form("items", 2),
        **{
            "items-0-number": "1",
            "items-0-title": "Protective security",
            "items-0-minutes": "The sub group reported a statement of principles.",
            "items-0-recommendations": [str(rec32.pk)],
            "items-1-number": "2",
            "items-1-title": "Threat briefing",
            "items-1-minutes": "Confidential.",
            "items-1-confidential": "on",
        },
        **management_form("actions", 1),
        **{
            "actions-0-reference": "Action 1",
            "actions-0-item_number": "1",
            "actions-0-text": "Circulate the statement of principles to council leaders.",
            "actions-0-owners": [str(mopac.pk)],
            "actions-0-due_date": "2017-03-31",
            "actions-0-status": "open",
            "actions-0-recommendations": [str(rec32.pk)],
        },
    )

    response = secretariat.post(f"{MEETINGS}add/", data)

    assert response.status_code == 302, errors_on_page(response)
    meeting = Meeting.objects.get(board=board, date=datetime.date(2017, 1, 18))
    assert [a.person for a in meeting.attendance.all()] == [
        "Deputy Mayor for Policing and Crime",
        "Guest speaker",
    ]
    assert [(i.number, i.title, i.confidential) for i in meeting.items.all()] == [
        (1, "Protective security", False),
        (2, "Threat briefing", True),
    ]
    action = meeting.actions.get()
    assert action.agenda_item == meeting.items.get(number=1)
    assert list(action.owners.all()) == [mopac]
    assert list(action.recommendations.all()) == [rec32]
    assert meeting.history.get().history_user == secretariat.user


def test_an_action_raised_under_an_item_not_on_the_page_is_refused(secretariat):
    board = BoardFactory()
    data = new_meeting_data(
        board,
        **management_form("items", 1),
        **{"items-0-number": "1", "items-0-title": "Updates"},
        **management_form("actions", 1),
        **{
            "actions-0-reference": "Action 1",
            "actions-0-item_number": "4",
            "actions-0-text": "Report back.",
            "actions-0-status": "open",
        },
    )

    response = secretariat.post(f"{MEETINGS}add/", data)

    assert response.status_code == 200
    assert "This meeting has no agenda item 4 on this page." in errors_on_page(response)
    assert not Meeting.objects.exists()


def test_the_action_page_shows_the_item_that_raised_it_and_keeps_it(secretariat):
    meeting = MeetingFactory()
    item = AgendaItemFactory(meeting=meeting, number=3)
    action = ActionFactory(meeting=meeting, agenda_item=item)

    data = change_page_data(secretariat, meeting)
    assert data["actions-0-item_number"] == "3"
    response = secretariat.post(f"{MEETINGS}{meeting.pk}/change/", data)

    assert response.status_code == 302, errors_on_page(response)
    action.refresh_from_db()
    assert action.agenda_item == item


def carry_forward(client, *meetings):
    return client.post(
        MEETINGS,
        {"action": "carry_forward", "_selected_action": [str(m.pk) for m in meetings]},
        follow=True,
    )


def test_open_actions_are_carried_to_the_next_meeting_from_the_list(secretariat):
    board = BoardFactory()
    meeting = MeetingFactory(board=board, date=datetime.date(2015, 3, 10))
    following = MeetingFactory(
        board=board,
        date=datetime.date(2015, 6, 9),
        status=Meeting.Status.SCHEDULED,
        minutes_status=Meeting.MinutesStatus.DRAFT,
    )
    first = ActionFactory(meeting=meeting, reference="Action 1")
    ActionFactory(meeting=meeting, reference="Action 2")
    ActionFactory(meeting=meeting, reference="Action 3", status=Action.Status.DONE)

    response = carry_forward(secretariat, meeting)

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Carried 2 open actions from {meeting} to {following}."
    ]
    assert sorted(following.actions.values_list("reference", flat=True)) == [
        "Action 1",
        "Action 2",
    ]
    first.refresh_from_db()
    assert first.status == Action.Status.CARRIED_FORWARD
    assert first.carried_to.meeting == following
    assert first.history.first().history_user == secretariat.user
    assert first.carried_to.history.last().history_user == secretariat.user


def test_carrying_forward_without_a_next_meeting_is_refused_clearly(secretariat):
    meeting = MeetingFactory()
    action = ActionFactory(meeting=meeting)

    response = carry_forward(secretariat, meeting)

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"{meeting} has no later meeting to carry its actions to: "
        "record the board's next meeting first."
    ]
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN
    assert Action.objects.count() == 1


def test_minutes_are_published_through_draft_then_approved(secretariat):
    meeting = MeetingFactory(minutes_status=Meeting.MinutesStatus.DRAFT)
    url = f"{MEETINGS}{meeting.pk}/change/"

    skipping = secretariat.post(
        url, {**change_page_data(secretariat, meeting), "minutes_status": "published"}
    )
    assert skipping.status_code == 200
    assert (
        "Minutes must be approved before they are published (draft → approved → published)."
        in errors_on_page(skipping)
    )
    meeting.refresh_from_db()
    assert meeting.minutes_status == "draft"

    for step in ["approved", "published"]:
        response = secretariat.post(
            url, {**change_page_data(secretariat, meeting), "minutes_status": step}
        )
        assert response.status_code == 302, errors_on_page(response)
        meeting.refresh_from_db()
        assert meeting.minutes_status == step

    assert list(meeting.history.values_list("minutes_status", flat=True)) == [
        "published",
        "approved",
        "draft",
    ]


def test_changing_a_published_meeting_is_recorded_and_says_so(secretariat):
    meeting = MeetingFactory(minutes_status=Meeting.MinutesStatus.PUBLISHED, place="City Hall")
    data = {**change_page_data(secretariat, meeting), "place": "Committee Room 4, City Hall"}

    response = secretariat.post(f"{MEETINGS}{meeting.pk}/change/", data, follow=True)

    assert any("are published" in str(m) for m in get_messages(response.wsgi_request))
    latest, before = meeting.history.all()[:2]
    assert (before.place, latest.place) == ("City Hall", "Committee Room 4, City Hall")
    assert latest.history_user == secretariat.user
    history = secretariat.get(f"{MEETINGS}{meeting.pk}/history/")
    assert "Committee Room 4, City Hall" in history.content.decode()


def test_a_meeting_dated_before_its_board_existed_is_refused(secretariat):
    board = BoardFactory(name="London CONTEST Board", established_on=datetime.date(2015, 3, 10))

    response = secretariat.post(f"{MEETINGS}add/", new_meeting_data(board, date="2014-09-15"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["date"] == [
        "London CONTEST Board was established on 10 March 2015; "
        "a meeting cannot be dated before that."
    ]
    assert not Meeting.objects.exists()


def test_a_second_meeting_of_a_board_on_one_day_is_refused(secretariat):
    existing = MeetingFactory(date=datetime.date(2017, 1, 18))

    response = secretariat.post(
        f"{MEETINGS}add/", new_meeting_data(existing.board, date="2017-01-18")
    )

    assert response.status_code == 200
    assert errors_on_page(response) == [
        "This board already has a meeting on this date: open that meeting to change it, "
        "or correct the date."
    ]
    assert Meeting.objects.count() == 1


def test_an_action_closed_by_an_earlier_meeting_is_refused(secretariat):
    board = BoardFactory()
    earlier = MeetingFactory(board=board, date=datetime.date(2017, 1, 18))
    meeting = MeetingFactory(board=board, date=datetime.date(2017, 4, 21))
    action = ActionFactory(meeting=meeting, reference="Action 1")
    data = {**change_page_data(secretariat, meeting), "actions-0-closed_at": str(earlier.pk)}
    data["actions-0-status"] = "done"

    response = secretariat.post(f"{MEETINGS}{meeting.pk}/change/", data)

    assert response.status_code == 200
    assert errors_on_page(response) == [
        f"The closing meeting ({earlier}) is before the meeting that raised the action "
        "(21 April 2017)."
    ]
    action.refresh_from_db()
    assert (action.status, action.closed_at) == (Action.Status.OPEN, None)


def test_an_agenda_item_number_used_twice_in_a_meeting_is_refused(secretariat):
    board = BoardFactory()
    data = new_meeting_data(
        board,
        **management_form("items", 2),
        **{
            "items-0-number": "1",
            "items-0-title": "Welcome and Introductions",
            "items-1-number": "1",
            "items-1-title": "Counter Terrorism",
        },
    )

    response = secretariat.post(f"{MEETINGS}add/", data)

    assert response.status_code == 200
    assert (
        "Each agenda item needs its own number: two items on this page have the same number."
        in errors_on_page(response)
    )
    assert not Meeting.objects.exists()
    assert not AgendaItem.objects.exists()
    assert not Attendance.objects.exists()


def test_an_agenda_item_number_already_stored_for_the_meeting_is_refused(secretariat):
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting, number=1, title="Welcome")
    data = change_page_data(secretariat, meeting)
    data.update(management_form("items", 2, 1))
    data.update({"items-1-number": "1", "items-1-title": "Counter Terrorism"})

    response = secretariat.post(f"{MEETINGS}{meeting.pk}/change/", data)

    assert response.status_code == 200
    assert (
        "Each agenda item needs its own number: two items on this page have the same number."
        in errors_on_page(response)
    )
    assert meeting.items.count() == 1


def test_the_recommendation_page_links_its_boards_meetings_items_and_actions(secretariat):
    rec = RecommendationFactory(number=32)
    board = BoardFactory(name="London CONTEST Board")
    board.oversees.add(rec)
    meeting = MeetingFactory(board=board, date=datetime.date(2017, 10, 20))
    item = AgendaItemFactory(
        meeting=meeting, number=1, title="Protective security", recommendations=[rec]
    )
    action = ActionFactory(meeting=meeting, reference="Action 4", recommendations=[rec])
    ActionFactory(meeting=meeting, reference="Action 5")  # not about recommendation 32

    page = secretariat.get(f"/admin/recommendations/recommendation/{rec.pk}/change/")

    html = page.content.decode()
    assert f'href="/admin/boards/board/{board.pk}/change/">London CONTEST Board</a>' in html
    assert f'href="/admin/boards/meeting/{meeting.pk}/change/"' in html
    assert f'href="/admin/boards/agendaitem/{item.pk}/change/"' in html
    assert "Item 1: Protective security" in html
    assert f'href="/admin/boards/action/{action.pk}/change/"' in html
    assert "Action 5" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/admin/boards/board/",
        "/admin/boards/board/add/",
        "/admin/boards/meeting/",
        "/admin/boards/meeting/?board__id__exact=1&status__exact=held&minutes_status__exact=published",
        "/admin/boards/meeting/add/",
        "/admin/boards/agendaitem/",
        "/admin/boards/action/",
        "/admin/boards/action/?status__exact=open",
        "/admin/recommendations/recommendation/add/",
    ],
)
def test_the_boards_admin_pages_answer(secretariat, url):
    ActionFactory(owners=[OrganisationFactory()])
    assert secretariat.get(url).status_code == 200


def test_the_meeting_and_board_pages_and_their_history_answer(secretariat):
    action = ActionFactory()
    meeting, board = action.meeting, action.meeting.board
    for url in [
        f"{MEETINGS}{meeting.pk}/change/",
        f"{MEETINGS}{meeting.pk}/history/",
        f"/admin/boards/board/{board.pk}/change/",
        f"/admin/boards/board/{board.pk}/history/",
        f"/admin/boards/action/{action.pk}/change/",
        f"/admin/boards/action/{action.pk}/history/",
    ]:
        assert secretariat.get(url).status_code == 200, url


def test_autocomplete_finds_recommendations_and_organisations_for_the_meeting_page(secretariat):
    RecommendationFactory(number=32, text="Install protective bollards.")
    OrganisationFactory(name="Metropolitan Police Service", acronym="MPS", slug="mps")
    for model, field, term, expected in [
        ("agendaitem", "recommendations", "bollards", "32 — Install protective bollards."),
        ("action", "owners", "MPS", "MPS"),
    ]:
        response = secretariat.get(
            "/admin/autocomplete/",
            {"app_label": "boards", "model_name": model, "field_name": field, "term": term},
        )
        assert response.status_code == 200
        assert [r["text"] for r in response.json()["results"]] == [expected]


def test_the_real_meetings_open_in_the_admin(secretariat, real_boards):
    for m in Meeting.objects.all():
        response = secretariat.get(f"{MEETINGS}{m.pk}/change/")
        assert response.status_code == 200, m
    rec32 = Recommendation.objects.get(number=32)
    page = secretariat.get(f"/admin/recommendations/recommendation/{rec32.pk}/change/")
    html = page.content.decode()
    assert "London CONTEST Board" in html
    assert "CONTEST Board, 20 October 2017" in html


def test_only_users_who_may_change_meetings_can_carry_actions_forward(client):
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_meeting"))
    client.force_login(viewer)
    board = BoardFactory()
    meeting = MeetingFactory(board=board, date=datetime.date(2017, 1, 18))
    MeetingFactory(board=board, date=datetime.date(2017, 4, 21))
    action = ActionFactory(meeting=meeting)

    page = client.get(MEETINGS)
    assert page.status_code == 200
    assert "carry_forward" not in page.content.decode()
    carry_forward(client, meeting)
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN


def test_a_second_secretariat_save_from_an_old_page_is_refused(secretariat):
    meeting = MeetingFactory(place="City Hall")
    first = change_page_data(secretariat, meeting)
    second = dict(first)
    first["place"] = "Committee Room 4"
    assert secretariat.post(f"{MEETINGS}{meeting.pk}/change/", first).status_code == 302
    second["place"] = "Chamber"
    response = secretariat.post(f"{MEETINGS}{meeting.pk}/change/", second)
    assert response.status_code == 200
    assert any("Someone else changed this meeting" in e for e in errors_on_page(response))
    meeting.refresh_from_db()
    assert meeting.place == "Committee Room 4"


def test_publishing_minutes_needs_the_publish_permission(client):
    from django.contrib.auth.models import Permission

    clerk = UserFactory(username="clerk")
    clerk.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="boards",
            codename__in=["view_meeting", "change_meeting", "view_board"],
        )
    )
    client.force_login(clerk)
    meeting = MeetingFactory(minutes_status=Meeting.MinutesStatus.APPROVED)
    data = change_page_data(client, meeting)
    data["minutes_status"] = "published"
    response = client.post(f"{MEETINGS}{meeting.pk}/change/", data)
    assert "You do not have permission to publish minutes." in errors_on_page(response)
    meeting.refresh_from_db()
    assert meeting.minutes_status == Meeting.MinutesStatus.APPROVED


def test_board_actions_can_be_imported_from_a_spreadsheet_in_the_admin(secretariat):
    response = secretariat.get("/admin/boards/action/import/")
    assert response.status_code == 200
    assert b"csv" in response.content.lower()


ACTION_EXPORT_FIELDS = [
    "board",
    "meeting_date",
    "reference",
    "text",
    "owners",
    "due_date",
    "status",
]


@pytest.mark.parametrize("fmt", ["0", "1"], ids=["csv", "xlsx"])
def test_board_actions_export_from_the_admin_in_both_formats(
    secretariat, fmt, run_tasks, settings, tmp_path
):
    import io

    import tablib

    meeting = MeetingFactory(board=BoardFactory(slug="lcrb"), date=datetime.date(2015, 3, 10))
    owners = [OrganisationFactory(name="MOPAC", slug="mopac"),
              OrganisationFactory(name="London Councils", slug="london-councils")]  # fmt: skip
    ActionFactory(meeting=meeting, reference="Action 1", text="Create the board.", owners=owners)
    data = {"format": fmt, "resource": "0"}
    data.update({f"actionresource_{name}": "on" for name in ACTION_EXPORT_FIELDS})

    settings.MEDIA_ROOT = tmp_path
    with run_tasks():
        response = secretariat.post("/admin/boards/action/export/", data)
    if fmt == "1":  # a workbook is prepared by a task, then downloaded from Your exports
        response = prepared_download(secretariat, response)

    assert response.status_code == 200, response.content[:500]
    assert "attachment" in response["Content-Disposition"]
    if fmt == "0":
        rows = tablib.Dataset().load(body(response).decode("utf-8-sig"), format="csv").dict
    else:
        rows = tablib.Dataset().load(io.BytesIO(body(response)), format="xlsx").dict
    assert [(r["board"], r["reference"], r["text"], r["owners"]) for r in rows] == [
        ("lcrb", "Action 1", "Create the board.", "london-councils; mopac")
    ]


@pytest.mark.parametrize(
    ("model", "field", "term"), [("meeting", "board", "CONTEST"), ("action", "closed_at", "")]
)
def test_the_board_and_meeting_pickers_answer(secretariat, model, field, term):
    # Their lists are annotated with counts, whose GROUP BY drops the models' own ordering.
    MeetingFactory(board=BoardFactory(name="London CONTEST Board", slug="contest"))
    response = secretariat.get(
        f"/admin/autocomplete/?app_label=boards&model_name={model}&field_name={field}&term={term}"
    )
    assert response.status_code == 200
    assert response.json()["results"]
