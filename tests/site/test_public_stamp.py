"""The public ETag moves when public data changes, and only then.

Anyone may poll a public page: its ETag must not tell them when staff work on drafts,
unpublished minutes or confidential text.
"""

import datetime

import pytest

from boards.models import Action, AgendaItem, Meeting
from recommendations.models import ProgressUpdate, Recommendation
from recommendations.services import (
    bulk_record_updates,
    publish_update,
    refresh_positions,
    withdraw_update,
)
from tests.factories import (
    ActionFactory,
    AgendaItemFactory,
    AttendanceFactory,
    ProgressUpdateFactory,
)
from tests.site_data import make_site

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def site(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_site()


@pytest.fixture
def etag_after(client, django_capture_on_commit_callbacks):
    """Run a change as a committed transaction; give the home page's ETag before and after."""

    def run(change) -> tuple[str, str]:
        before = client.get("/")["ETag"]
        with django_capture_on_commit_callbacks(execute=True):
            change()
        # A 304 and a 200 both carry the current ETag.
        return before, client.get("/", headers={"if-none-match": before})["ETag"]

    return run


def keeps(etag_after, change) -> bool:
    before, after = etag_after(change)
    return before == after


def save(obj, **values):
    def change():
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()

    return change


def data_fix(change):
    """A write to updates outside the services ends, as it must, with the positions' refresh."""

    def fixed():
        change()
        refresh_positions(recommendation_ids=Recommendation.objects.values_list("pk", flat=True))

    return fixed


def draft_of(site) -> ProgressUpdate:
    return ProgressUpdate.objects.get(recommendation=site.r13, published=False)


# What must leave the ETag as it was.


def test_saving_a_draft_update_keeps_the_etag(site, etag_after):
    assert keeps(etag_after, save(draft_of(site), text="Still a draft, reworded."))


def test_adding_a_draft_update_keeps_the_etag(site, etag_after):
    assert keeps(
        etag_after,
        lambda: ProgressUpdateFactory(recommendation=site.r62, published=False, text="Draft"),
    )


def test_adding_draft_updates_in_bulk_keeps_the_etag(site, etag_after):
    def change():
        bulk_record_updates(
            updates=[
                ProgressUpdate(
                    recommendation=site.r62, date=D(2018, 1, 1), text="Draft", status="ongoing"
                )
            ],
            entered_by=None,
        )

    assert keeps(etag_after, change)


def test_saving_an_unpublished_meetings_minutes_keeps_the_etag(site, etag_after):
    item = AgendaItem.objects.get(meeting=site.april)
    action = Action.objects.get(meeting=site.april)
    assert keeps(etag_after, save(site.april, summary="Reworded", chair="Someone", source="x"))
    assert keeps(etag_after, save(item, minutes="Reworded minutes", title="A new title"))
    assert keeps(etag_after, save(action, text="Reworded action"))
    assert keeps(
        etag_after, lambda: AttendanceFactory(meeting=site.october, organisation=site.mps)
    )
    assert keeps(etag_after, lambda: item.recommendations.add(site.r62))


def test_a_draft_meetings_minutes_moving_to_approved_keeps_the_etag(site, etag_after):
    assert keeps(etag_after, save(site.october, minutes_status=Meeting.MinutesStatus.APPROVED))


def test_saving_a_confidential_items_minutes_keeps_the_etag(site, etag_after):
    briefing = AgendaItem.objects.get(meeting=site.january, confidential=True)
    confidential_action = Action.objects.get(meeting=site.january, confidential=True)
    assert keeps(etag_after, save(briefing, minutes="New secret minutes"))
    assert keeps(etag_after, save(confidential_action, text="New secret text"))


def test_saving_a_recommendation_unchanged_keeps_the_etag(site, etag_after):
    assert keeps(etag_after, save(site.r32))


# What must move it.


def test_publishing_a_draft_update_moves_the_etag(site, etag_after):
    assert not keeps(etag_after, lambda: publish_update(update=draft_of(site), user=None))


def test_withdrawing_a_published_update_moves_the_etag(site, etag_after):
    update = ProgressUpdate.objects.published().filter(recommendation=site.r62).get()
    assert not keeps(etag_after, lambda: withdraw_update(update=update, reason="Wrong", user=None))


def test_editing_a_published_update_moves_the_etag(site, etag_after):
    update = ProgressUpdate.objects.published().filter(recommendation=site.r62).get()
    assert not keeps(etag_after, data_fix(save(update, text="Corrected wording.")))


def test_editing_published_updates_in_bulk_moves_the_etag(site, etag_after):
    published = ProgressUpdate.objects.published().filter(recommendation=site.r62)
    assert not keeps(etag_after, data_fix(lambda: published.update(text="Corrected in bulk.")))


def test_editing_draft_updates_in_bulk_keeps_the_etag(site, etag_after):
    drafts = ProgressUpdate.objects.drafts()
    assert keeps(etag_after, lambda: drafts.update(text="Redrafted in bulk."))


def test_adding_published_updates_in_bulk_moves_the_etag(site, etag_after):
    def change():
        bulk_record_updates(
            updates=[
                ProgressUpdate(
                    recommendation=site.r62,
                    date=D(2018, 1, 1),
                    text="Published",
                    status="ongoing",
                    published=True,
                )
            ],
            entered_by=None,
        )

    assert not keeps(etag_after, change)


def test_an_unpublished_meetings_public_fields_move_the_etag(site, etag_after):
    assert not keeps(etag_after, save(site.april, place="Guildhall"))
    assert not keeps(etag_after, save(site.april, date=D(2017, 4, 20)))


def test_publishing_minutes_moves_the_etag(site, etag_after):
    assert not keeps(etag_after, save(site.april, minutes_status=Meeting.MinutesStatus.PUBLISHED))


def test_a_published_meetings_minutes_move_the_etag(site, etag_after):
    item = AgendaItem.objects.get(meeting=site.january, confidential=False)
    assert not keeps(etag_after, save(item, minutes="Corrected minutes"))
    assert not keeps(etag_after, save(site.open_action, text="Corrected action"))
    assert not keeps(etag_after, save(site.january, summary="Corrected summary"))
    assert not keeps(etag_after, lambda: item.recommendations.add(site.r62))
    assert not keeps(etag_after, lambda: AgendaItemFactory(meeting=site.january, number=9))
    assert not keeps(etag_after, lambda: ActionFactory(meeting=site.january))


def test_a_confidential_items_title_and_confidentiality_move_the_etag(site, etag_after):
    briefing = AgendaItem.objects.get(meeting=site.january, confidential=True)
    assert not keeps(etag_after, save(briefing, title="Threat briefing (renamed)"))
    assert not keeps(etag_after, save(briefing, confidential=False))
    assert not keeps(etag_after, save(briefing, confidential=True))


def test_an_organisations_name_moves_the_etag(site, etag_after):
    assert not keeps(etag_after, save(site.mps, name="Metropolitan Police"))


def test_an_organisations_contact_details_keep_the_etag(site, etag_after):
    # Staff only: a moving ETag would tell anyone polling that the contact changed.
    assert keeps(
        etag_after,
        save(site.mps, contact_name="A. Person", contact_email="a@mps.example", contact_phone="1"),
    )


def test_deleting_a_public_row_moves_the_etag_and_a_private_one_does_not(site, etag_after):
    assert keeps(etag_after, lambda: AgendaItem.objects.filter(meeting=site.october).delete())
    assert not keeps(etag_after, lambda: site.open_action.delete())
