"""The named questions the public pages ask: the status as at a date, and the tallies."""

import datetime

import pytest

from recommendations.models import Recommendation, StatusTally, share
from tests.factories import OrganisationFactory, OwnershipFactory, ProgressUpdateFactory
from tests.factories import RecommendationFactory as Rec

pytestmark = pytest.mark.django_db

D = datetime.date


def statuses_as_at(day: datetime.date) -> dict[int, str]:
    return dict(Recommendation.objects.as_at(day).values_list("number", "status_as_at"))


def test_as_at_takes_the_latest_published_update_dated_on_or_before_the_day():
    recommendation = Rec(number=1)
    ProgressUpdateFactory(recommendation=recommendation, date=D(2017, 3, 1), status="ongoing")
    ProgressUpdateFactory(recommendation=recommendation, date=D(2017, 10, 31), status="resolved")
    ProgressUpdateFactory(
        recommendation=recommendation, date=D(2017, 6, 1), status="resolved", published=False
    )
    assert statuses_as_at(D(2017, 2, 28)) == {1: "ongoing"}
    assert statuses_as_at(D(2017, 6, 30)) == {1: "ongoing"}
    assert statuses_as_at(D(2017, 10, 31)) == {1: "resolved"}


def test_as_at_leaves_out_recommendations_made_after_the_day():
    Rec(number=1, made_on=D(2016, 10, 31))
    Rec(number=2, made_on=D(2018, 1, 1))
    assert statuses_as_at(D(2017, 1, 1)) == {1: "ongoing"}


def test_tally_counts_each_status_and_both_resolved_together():
    for number, status in enumerate(["resolved", "resolved", "resolved-by-other-means"], 1):
        ProgressUpdateFactory(recommendation=Rec(number=number), status=status)
    Rec(number=4)
    tally = Recommendation.objects.current().tally()
    assert tally.total == 4
    assert [(c.slug, c.count, c.percent) for c in tally.by_status] == [
        ("resolved", 2, 50),
        ("resolved-by-other-means", 1, 25),
        ("ongoing", 1, 25),
    ]
    assert (tally.resolved.count, tally.resolved.percent) == (3, 75)


def test_tally_by_owner_counts_each_owner_once_per_recommendation():
    mps, mopac = OrganisationFactory(name="MPS"), OrganisationFactory(name="MOPAC")
    shared = Rec(number=1)
    OwnershipFactory(recommendation=shared, organisation=mps, is_lead=True)
    OwnershipFactory(recommendation=shared, organisation=mopac, is_lead=False)
    Rec(number=2)  # owned by nobody: in no owner's row
    tallies = Recommendation.objects.current().tally_by("owners__name")
    assert {key: tally.total for key, tally in tallies.items()} == {("MOPAC",): 1, ("MPS",): 1}


def test_shares_round_as_a_reader_would():
    assert share(86, 127) == 68
    assert share(1, 8) == 13
    assert share(0, 0) == 0
    assert StatusTally.from_rows([]).resolved.percent == 0


def test_by_owner_puts_the_owners_of_most_first_each_with_its_own_and_their_latest_update():
    met, lfb, gla = (OrganisationFactory(name=name) for name in ("Met", "LFB", "GLA"))
    one, two, three = Rec(number=1), Rec(number=2), Rec(number=3)
    ProgressUpdateFactory(recommendation=one, date=D(2017, 3, 1))
    ProgressUpdateFactory(recommendation=three, date=D(2017, 5, 1))
    for recommendation, owners in [(three, [met, lfb]), (one, [met, lfb]), (two, [gla, met])]:
        for index, organisation in enumerate(owners):
            OwnershipFactory(
                recommendation=recommendation, organisation=organisation, is_lead=index == 0
            )

    owners = list(Recommendation.objects.exclude(number=3).by_owner())

    # Met owns two of them, LFB and GLA one each: a tie goes by name.
    assert [o.name for o in owners] == ["Met", "GLA", "LFB"]
    assert [[r.number for r in o.owned] for o in owners] == [[1, 2], [2], [1]]
    assert [o.owned_last_updated for o in owners] == [D(2017, 3, 1), None, D(2017, 3, 1)]


def test_by_owner_asks_two_queries_however_many_owners(django_assert_num_queries):
    for _ in range(5):
        OwnershipFactory()
    with django_assert_num_queries(2):
        assert sum(len(owner.owned) for owner in Recommendation.objects.by_owner()) == 5


def test_with_owners_reads_every_recommendations_owners_in_one_more_query(
    django_assert_num_queries,
):
    for number in range(1, 4):
        OwnershipFactory(recommendation=Rec(number=number), is_lead=True)
    with django_assert_num_queries(2):
        leads = [r.lead_owner for r in Recommendation.objects.with_owners()]
    assert all(leads)
