"""`fixtures/recommendations.json` reviewed against the October 2017 progress report."""

import datetime
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from harris_tracker.management.commands.load_initial_data import load_fixture
from recommendations import services
from recommendations.models import (
    Organisation,
    Ownership,
    ProgressUpdate,
    Recommendation,
    RecommendationLink,
    Section,
    Status,
)
from tests.read_only_data import loaded_for_module
from tools.report_parser import parse_report, split_paragraphs, status_from_update

SOURCE = Path(settings.BASE_DIR) / "fixtures" / "sources" / "progress-report-2017.txt"

#: What the report says, counted once by hand and by the rule: a change to either shows here.
EXPECTED_STATUS_COUNTS = {
    Status.RESOLVED: 73,
    Status.RESOLVED_BY_OTHER_MEANS: 12,
    Status.ONGOING: 42,
}


@pytest.fixture(scope="module")
def _recommendations_fixture(django_db_setup, django_db_blocker):
    # As load_initial_data loads it: its `related` lists become related links.
    with loaded_for_module(django_db_blocker, lambda: load_fixture("recommendations")):
        yield


@pytest.fixture
def loaded(_recommendations_fixture, db):
    """fixtures/recommendations.json, loaded once for this module's tests, which only read it."""


def status_counts(statuses) -> dict[Status, int]:
    counts = Counter(statuses)
    return {status: counts[status.value] for status in Status}


# --- Numbers, sections, statuses -----------------------------------------------------------


def test_the_fixture_holds_the_127_recommendations_numbered_1_to_127(loaded):
    numbers = list(Recommendation.objects.order_by("number").values_list("number", flat=True))
    assert numbers == list(range(1, 128))
    assert set(Recommendation.objects.values_list("pk", flat=True)) == set(numbers)


def test_22_recommendations_are_in_the_mayors_section_and_105_in_the_other(loaded):
    assert Recommendation.objects.filter(section=Section.MAYOR).count() == 22
    assert Recommendation.objects.filter(section=Section.OTHER).count() == 105


def test_status_counts_follow_the_reports_rule_applied_to_its_updates(loaded):
    from_source = status_counts(
        status_from_update(rec.update_text).value
        for rec in parse_report(SOURCE.read_text(encoding="utf-8"))
    )
    stored = status_counts(Recommendation.objects.values_list("status", flat=True))
    assert stored == from_source == EXPECTED_STATUS_COUNTS


def test_over_two_thirds_are_resolved_as_the_report_says(loaded):
    resolved = Recommendation.objects.resolved().count()
    assert resolved == 85
    assert resolved * 3 > Recommendation.objects.count() * 2


# --- Owners --------------------------------------------------------------------------------


def test_every_recommendation_has_an_owner_and_exactly_one_lead(loaded):
    for recommendation in Recommendation.objects.prefetch_related("ownerships"):
        ownerships = list(recommendation.ownerships.all())
        assert ownerships, recommendation.number
        assert sum(o.is_lead for o in ownerships) == 1, recommendation.number


def test_every_organisation_owns_a_recommendation_and_has_a_lowercase_slug(loaded):
    for organisation in Organisation.objects.all():
        assert organisation.ownerships.exists(), organisation.name
        assert organisation.slug == organisation.slug.lower()


#: A sample of owners, the lead first and the others as the site lists them (by name).
SAMPLE_OWNERS = {
    10: ["Mayor of London", "MPS"],  # "The Mayor and the Metropolitan Police Service should…"
    29: ["Mayor of London", "MPS"],  # "The Mayor and the Commissioner should…"
    41: ["MOPAC"],  # "MOPAC should consider repeating the survey…"
    4: ["CAA", "DfT"],  # "The Civil Aviation Authority should…"; "Government should…"
    9: ["Cabinet Office"],
    21: ["Home Office", "NPCC"],
    32: ["GLA", "London local authorities", "MOPAC"],
    40: ["MPS", "CoLP"],  # "The MPS is co-ordinating liaison with CoLP"
    66: ["TfL", "BTP"],
    89: ["LRF", "LAS", "LFB", "Mayor of London", "MPS"],
    110: ["Cabinet Office", "Mayor of London"],  # "currently sitting with the Cabinet Office"
    121: ["DfE", "Mayor of London"],
    122: ["DCLG"],  # "The Government should…": DCLG answers
}


def test_owners_of_a_sample_lead_first(loaded):
    found = {
        number: [str(o.organisation) for o in Ownership.objects.filter(recommendation=number)]
        for number in SAMPLE_OWNERS
    }
    assert found == SAMPLE_OWNERS
    for number, expected in SAMPLE_OWNERS.items():
        assert str(Recommendation.objects.get(number=number).lead_owner) == expected[0]


# --- Positions and updates -----------------------------------------------------------------


def test_each_stored_status_is_that_of_its_one_published_update(loaded):
    for recommendation in Recommendation.objects.select_related("latest_update"):
        updates = list(recommendation.updates.all())
        assert len(updates) == 1, recommendation.number
        (update,) = updates
        assert update.published
        assert recommendation.latest_update == update
        assert recommendation.status == update.status
        assert recommendation.last_updated == update.date == datetime.date(2017, 10, 31)
        assert update.status == status_from_update(update.text)


def test_the_stored_positions_agree_with_the_models_rule(loaded):
    before = list(
        Recommendation.objects.values_list("pk", "status", "last_updated", "latest_update")
    )
    services.refresh_positions(
        recommendation_ids=Recommendation.objects.values_list("pk", flat=True)
    )
    after = list(
        Recommendation.objects.values_list("pk", "status", "last_updated", "latest_update")
    )
    assert after == before


def test_updates_record_their_source_date_and_entry(loaded):
    update = ProgressUpdate.objects.get(pk=32)
    assert update.recommendation_id == 32
    assert update.source == "Progress Report – One Year On, October 2017"
    assert update.date == datetime.date(2017, 10, 31)
    assert update.entered_by is None
    midnight = datetime.datetime(2017, 10, 31, tzinfo=datetime.UTC)
    assert update.created_at == update.modified_at == midnight
    assert Recommendation.objects.get(number=32).made_on == datetime.date(2016, 10, 31)


# --- Related recommendations --------------------------------------------------------------


def related(number: int) -> list[int]:
    """The numbers of the recommendations linked to `number` as related, read from its end."""
    recommendation = Recommendation.objects.get(number=number)
    links = RecommendationLink.objects.seen_from(recommendation)
    assert {link.kind for link in links} <= {"related"}
    return [link.other.number for link in links]


def test_cross_references_in_the_report_are_related_both_ways(loaded):
    assert related(73) == [74]  # "The recommendation is linked to Recommendation 74, below."
    assert related(74) == [73, 75]  # "the River Thames recommendations (73-75)"
    assert related(39) == [37]  # "As with recommendation 37, above"
    assert related(37) == [39]
    assert related(114) == [80]  # "The online tool, referenced in recommendation 80"
    assert related(80) == [114]
    assert related(81) == [77]  # "(see recommendation 77)"
    assert related(98) == [97]  # "as recommended in recommendation 97"
    assert related(1) == []


# --- Texts word for word -------------------------------------------------------------------


def paragraphs(number: int, field: str) -> list[str]:
    recommendation = Recommendation.objects.get(number=number)
    text = recommendation.text if field == "text" else recommendation.latest_update.text
    return text.split("\n\n")


def test_recommendation_4_is_healed_across_its_page_break(loaded):
    assert paragraphs(4, "text") == [
        "The Civil Aviation Authority should, building on the work of the House of Lords "
        "review into the civil use of drones, ensure that the current legislation relating to "
        "the use of drones is suitable. Government should also explore technological options "
        "to improve the capacity to restrict drone use or disable them."
    ]
    update = paragraphs(4, "update")
    assert len(update) == 4
    assert update[0] == (
        "The Department for Transport (DfT) has recently published a response to its "
        "consultation on drone policy which sets out the intention to introduce a range of new "
        "measures for drones, which DfT is now in the process of developing and scoping with "
        "other departments and the Civil Aviation Authority. The Government plans to implement "
        "mandatory registration requirements for all users of drones weighing between 250g and "
        "20kg. Upon registering there would then be a mandatory competency test for leisure "
        "pilots to undertake in order to demonstrate their knowledge of the regulations. Both "
        "measures are integral in ensuring users are aware of their responsibilities and will "
        "additionally be used to target them with further educational materials to improve "
        "their awareness and adherence to safety, privacy and security rules. These measures "
        "are also envisaged to improve law enforcement efforts and give the Government and "
        "regulators indications of the numbers of drones in the UK. This will help to assess "
        "risk and develop future policy."
    )
    assert update[-1] == "This recommendation has been resolved."


def test_recommendation_32_is_healed_across_its_page_break(loaded):
    assert paragraphs(32, "text") == [
        "Consideration should also be given by the GLA and relevant local authorities to the "
        "wider installation of protective bollards in areas of vulnerability around London and "
        "to explore the case for retractable bollards in certain areas."
    ]
    update = paragraphs(32, "update")
    assert len(update) == 5
    assert update[0] == (
        "Under the London CONTEST Board, work has taken place between MOPAC, the MPS, City of "
        "London Police, local authorities, Transport for London (TfL), the Walking and Cycling "
        "Commissioner and the Home Office to identify and deliver a permanent solution to the "
        "protection of some of London's key bridges and other crowded places."
    )
    assert update[3] == "This work will continue, overseen by the CONTEST Board."


def test_recommendation_10_word_for_word(loaded):
    assert paragraphs(10, "text") == [
        "The Mayor and the Metropolitan Police Service should strongly resist any attempts by "
        "central government to move the counter-terrorism function and wider counter-terrorism "
        "policing network from the MPS to the National Crime Agency."
    ]
    assert paragraphs(10, "update") == [
        "The Mayor has written to the Home Secretary to raise this issue with her and will "
        "continue to make the case for the MPS to retain its counter-terrorism function. This "
        "commitment is restated in the Police and Crime Plan.",
        "This recommendation has been resolved.",
    ]


def test_recommendation_20_keeps_its_curly_quotes(loaded):
    assert paragraphs(20, "text") == [
        "It should be ensured that the fullest use is made of all available providers of "
        "firearms training, such as the City of London Police and the MOD Police."
    ]
    assert paragraphs(20, "update")[0].startswith(
        "There is significant work ongoing by the MPS to ensure that every opportunity to use "
        "other providers of firearms training is explored. This includes the use of "
        "“facilities only” arrangements as well as the provision of full training courses."
    )


def test_recommendation_42_is_ongoing_though_it_mentions_resolution(loaded):
    assert paragraphs(42, "update") == [
        "Since the Review was published the IPCC have published an updated draft of this "
        "guidance which is currently with the Home Secretary awaiting sign off. It is "
        "disappointing that this has not yet been resolved, and we will continue to monitor "
        "this and urge rapid consideration by the Home Secretary."
    ]
    assert Recommendation.objects.get(number=42).status == Status.ONGOING


def test_recommendation_51_keeps_the_sources_words(loaded):
    assert paragraphs(51, "text") == [
        "The Mayer review into the London Fire Brigade should look at the number of FRUs and "
        "the possibility of an attendance standard for these specialist units. Reallocation of "
        "existing resources should be considered in order to provide this."
    ]
    assert paragraphs(51, "update")[0] == (
        "This recommendation was referred to Anthony Mayer and was considered as part of his "
        "review."
    )


def test_recommendation_53_is_healed_across_a_page_break_before_a_capital(loaded):
    assert (
        "In terms of MCVs, LAS has three strategically located (and nationally provided) MCVs "
        "which are further supplemented by six equipment support vehicles."
    ) in paragraphs(53, "update")[3]
    assert paragraphs(53, "update")[-1] == (
        "Given this reassurance, this recommendation is considered resolved by other means."
    )
    assert Recommendation.objects.get(number=53).status == Status.RESOLVED_BY_OTHER_MEANS


def test_recommendation_78_keeps_its_list_of_themes(loaded):
    assert paragraphs(78, "text") == [
        "I recommend that the Mayor convenes a small group to take forward discussions about "
        "how further information can be provided to business."
    ]
    assert paragraphs(78, "update")[2] == (
        "- Legislation and Regulation\n"
        "- Communication\n"
        "- Business Partnership\n"
        "- Research and Innovation\n"
        "- Training, Learning and Qualifications"
    )


def test_every_stored_word_is_the_sources(loaded):
    """Healing and normalising only join and collapse whitespace: the words of each text, in
    order, are a run of the source's words."""
    source_words = " ".join(
        " ".join(paragraph.split())
        for paragraph in split_paragraphs(SOURCE.read_text(encoding="utf-8"))
    )
    for recommendation in Recommendation.objects.select_related("latest_update"):
        for text in (recommendation.text, recommendation.latest_update.text):
            for paragraph in text.split("\n\n"):
                assert " ".join(paragraph.split()) in source_words, recommendation.number
