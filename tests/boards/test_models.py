"""The boards' rules: dates in order, minutes one step at a time, what is public, overdue."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from boards.models import Action, Meeting
from boards.services import carry_forward_open_actions
from tests.factories import (
    ActionFactory,
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def errors_of(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_a_meeting_cannot_predate_its_board():
    board = BoardFactory(name="London CONTEST Board", established_on=datetime.date(2015, 3, 10))
    meeting = MeetingFactory.build(board=board, date=datetime.date(2015, 3, 9))

    assert errors_of(meeting)["date"] == [
        "London CONTEST Board was established on 10 March 2015; "
        "a meeting cannot be dated before that."
    ]


def test_a_board_meets_once_a_day():
    first = MeetingFactory()
    second = MeetingFactory.build(board=first.board, date=first.date)

    assert errors_of(second)["__all__"] == [
        "This board already has a meeting on this date: open that meeting to change it, "
        "or correct the date."
    ]


def test_minutes_cannot_be_approved_for_a_meeting_not_yet_held():
    meeting = MeetingFactory.build(
        status=Meeting.Status.SCHEDULED, minutes_status=Meeting.MinutesStatus.APPROVED
    )

    assert (
        "Only a meeting that has been held can have approved or published minutes."
        in (errors_of(meeting)["__all__"])
    )


def test_minutes_are_approved_before_they_are_published():
    meeting = MeetingFactory(minutes_status=Meeting.MinutesStatus.DRAFT)

    meeting.minutes_status = Meeting.MinutesStatus.PUBLISHED
    assert errors_of(meeting)["minutes_status"] == [
        "Minutes must be approved before they are published (draft → approved → published)."
    ]

    meeting.minutes_status = Meeting.MinutesStatus.APPROVED
    meeting.full_clean()
    meeting.save()
    meeting.minutes_status = Meeting.MinutesStatus.PUBLISHED
    meeting.full_clean()


def test_a_new_meeting_cannot_start_with_published_minutes():
    meeting = MeetingFactory.build(minutes_status=Meeting.MinutesStatus.PUBLISHED)

    assert "minutes_status" in errors_of(meeting)


def test_published_minutes_go_back_through_approved():
    meeting = MeetingFactory(minutes_status=Meeting.MinutesStatus.PUBLISHED)

    meeting.minutes_status = Meeting.MinutesStatus.DRAFT
    assert "minutes_status" in errors_of(meeting)


def test_an_action_cannot_be_closed_before_it_was_raised():
    board = BoardFactory()
    earlier = MeetingFactory(board=board, date=datetime.date(2017, 1, 18))
    later = MeetingFactory(board=board, date=datetime.date(2017, 4, 21))
    action = ActionFactory.build(meeting=later, closed_at=earlier)

    assert errors_of(action)["closed_at"] == [
        f"The closing meeting ({earlier}) is before the meeting that raised the action "
        "(21 April 2017)."
    ]


def test_an_action_is_closed_by_a_meeting_of_its_own_board():
    action = ActionFactory.build(
        meeting=MeetingFactory(date=datetime.date(2017, 1, 18)),
        closed_at=MeetingFactory(date=datetime.date(2017, 4, 21)),
    )

    assert "of another board" in errors_of(action)["closed_at"][0]


def test_an_action_names_an_agenda_item_of_its_own_meeting():
    action = ActionFactory.build(meeting=MeetingFactory(), agenda_item=AgendaItemFactory())

    assert errors_of(action)["agenda_item"] == ["The agenda item belongs to another meeting."]


def test_only_published_minutes_are_public():
    published = MeetingFactory(minutes_status=Meeting.MinutesStatus.PUBLISHED)
    MeetingFactory(minutes_status=Meeting.MinutesStatus.APPROVED)
    MeetingFactory(status=Meeting.Status.SCHEDULED, minutes_status=Meeting.MinutesStatus.DRAFT)

    assert list(Meeting.objects.public()) == [published]


def test_a_confidential_item_and_its_actions_keep_their_content_private():
    meeting = MeetingFactory(minutes_status=Meeting.MinutesStatus.PUBLISHED)
    briefing = AgendaItemFactory(meeting=meeting, title="Threat briefing", confidential=True)
    open_item = AgendaItemFactory(meeting=meeting)

    assert not briefing.is_content_public
    assert open_item.is_content_public
    assert not ActionFactory(meeting=meeting, agenda_item=briefing).is_content_public
    assert not ActionFactory(meeting=meeting, confidential=True).is_content_public
    assert ActionFactory(meeting=meeting, agenda_item=open_item).is_content_public


def test_nothing_of_unpublished_minutes_is_public():
    meeting = MeetingFactory(minutes_status=Meeting.MinutesStatus.APPROVED)

    assert not AgendaItemFactory(meeting=meeting).is_content_public
    assert not ActionFactory(meeting=meeting).is_content_public


def test_overdue_means_open_and_past_its_due_date():
    today = datetime.date(2017, 6, 1)
    late = ActionFactory(due_date=datetime.date(2017, 5, 31))
    ActionFactory(due_date=datetime.date(2017, 6, 1))  # due today: not yet overdue
    ActionFactory(due_date=None)
    ActionFactory(due_date=datetime.date(2017, 1, 1), status=Action.Status.DONE)
    ActionFactory(due_date=datetime.date(2017, 1, 1), status=Action.Status.CARRIED_FORWARD)

    assert list(Action.objects.overdue(today=today)) == [late]


def test_carrying_forward_copies_each_open_action_to_the_next_meeting():
    board = BoardFactory()
    meeting = MeetingFactory(board=board, date=datetime.date(2017, 1, 18))
    following = MeetingFactory(
        board=board,
        date=datetime.date(2017, 4, 21),
        status=Meeting.Status.SCHEDULED,
        minutes_status=Meeting.MinutesStatus.DRAFT,
    )
    MeetingFactory(board=board, date=datetime.date(2017, 10, 20))
    owners = [OrganisationFactory(), OrganisationFactory()]
    recommendation = RecommendationFactory(number=32)
    original = ActionFactory(
        meeting=meeting,
        reference="Action 1",
        due_date=datetime.date(2017, 3, 31),
        owners=owners,
        recommendations=[recommendation],
    )
    done = ActionFactory(meeting=meeting, reference="Action 2", status=Action.Status.DONE)
    user = UserFactory()

    [carried] = carry_forward_open_actions(meeting=meeting, user=user)

    assert carried.meeting == following
    assert (carried.reference, carried.text, carried.due_date, carried.status) == (
        "Action 1",
        original.text,
        datetime.date(2017, 3, 31),
        Action.Status.OPEN,
    )
    assert set(carried.owners.all()) == set(owners)
    assert list(carried.recommendations.all()) == [recommendation]
    assert carried.carried_from == original
    original.refresh_from_db()
    done.refresh_from_db()
    assert original.status == Action.Status.CARRIED_FORWARD
    assert done.status == Action.Status.DONE
    assert original.history.first().history_user == user
    assert carried.history.last().history_user == user


def test_carrying_forward_keeps_a_confidential_items_action_confidential():
    board = BoardFactory()
    meeting = MeetingFactory(board=board, date=datetime.date(2017, 1, 18))
    MeetingFactory(board=board, date=datetime.date(2017, 4, 21))
    briefing = AgendaItemFactory(meeting=meeting, confidential=True)
    ActionFactory(meeting=meeting, agenda_item=briefing)

    [carried] = carry_forward_open_actions(meeting=meeting, user=None)

    assert carried.confidential
    assert not carried.is_content_public


def test_carrying_forward_refuses_without_a_next_meeting():
    meeting = MeetingFactory()
    action = ActionFactory(meeting=meeting)

    with pytest.raises(ValidationError, match="has no later meeting"):
        carry_forward_open_actions(meeting=meeting, user=None)
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN


def test_carrying_forward_refuses_a_reference_the_next_meeting_already_uses():
    board = BoardFactory()
    meeting = MeetingFactory(board=board, date=datetime.date(2017, 1, 18))
    following = MeetingFactory(board=board, date=datetime.date(2017, 4, 21))
    ActionFactory(meeting=meeting, reference="Action 1")
    ActionFactory(meeting=meeting, reference="Action 2")
    ActionFactory(meeting=following, reference="Action 2")

    with pytest.raises(ValidationError, match="already has Action 2"):
        carry_forward_open_actions(meeting=meeting, user=None)
    assert following.actions.count() == 1
    assert meeting.actions.open().count() == 2
