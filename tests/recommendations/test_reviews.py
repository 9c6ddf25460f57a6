"""Several reviews in one tracker: a recommendation belongs to one review, its number is that
review's, its date defaults to the review's publication, and typed links join reviews."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from recommendations.models import (
    LinkKind,
    Recommendation,
    RecommendationLink,
    Review,
    ReviewSection,
)
from tests.factories import RecommendationFactory, RecommendationLinkFactory, ReviewFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def harris_2022():
    return ReviewFactory(
        slug="harris-2022",
        title="London's Preparedness to Respond to a Major Terrorist Incident: 2022",
        short_title="Harris Review 2022",
        published_on=D(2022, 3, 1),
        list_order=1,
        sections=[],
    )


def test_the_migrations_make_the_2016_review_with_the_sources_facts_and_sections():
    review = Review.objects.default()
    assert (review.slug, review.short_title, review.published_on) == (
        "harris-2016",
        "Harris Review 2016",
        D(2016, 10, 31),
    )
    assert review.title == (
        "Harris Review into London's Preparedness to Respond to a Major Terrorist Incident"
    )
    assert (review.made_by, review.commissioned_by, review.url) == (
        "Lord Harris of Haringey",
        "The Mayor of London",
        "",
    )
    assert review.recommendation_count == 127
    assert list(review.sections.values_list("slug", "title")) == [
        ("mayor", "Mayor's Office, MOPAC and LFEPA"),
        ("other", "Other recommendations"),
    ]


def test_the_default_review_follows_the_setting_and_names_it_when_missing(settings, harris_2022):
    settings.DEFAULT_REVIEW = "harris-2022"
    assert Review.objects.default() == harris_2022
    settings.DEFAULT_REVIEW = "no-such-review"
    missing = r"'no-such-review' that settings\.DEFAULT_REVIEW names"
    with pytest.raises(Review.DoesNotExist, match=missing):
        Review.objects.default()


def test_reviews_are_listed_in_their_order(harris_2022):
    assert list(Review.objects.in_list_order().values_list("slug", flat=True)) == [
        "harris-2016",
        "harris-2022",
    ]


def test_the_same_number_in_two_reviews_is_fine(harris_2022):
    first = RecommendationFactory(number=47)
    later = RecommendationFactory(review=harris_2022, number=47)
    later.full_clean()
    assert {first.review.slug, later.review.slug} == {"harris-2016", "harris-2022"}
    assert Recommendation.objects.of_review("harris-2022").get().pk == later.pk
    assert Recommendation.objects.of_default_review().get().pk == first.pk


def test_a_number_is_unique_within_its_review_with_a_message_naming_the_review():
    RecommendationFactory(number=47)
    with pytest.raises(ValidationError) as error:
        Recommendation(number=47, text="Again.").full_clean()
    assert error.value.message_dict["number"] == [
        "Harris Review 2016 already has a recommendation 47."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        RecommendationFactory(number=47)


def test_the_number_is_checked_against_its_own_reviews_count(harris_2022):
    harris_2022.recommendation_count = 30
    harris_2022.save()
    with pytest.raises(ValidationError, match="Harris Review 2022 made 30 recommendations"):
        Recommendation(review=harris_2022, number=31, text="x").full_clean()
    # 2016's bound is its own 127, not the later review's.
    Recommendation(number=100, text="x").full_clean()


def test_the_section_is_one_of_the_reviews_sections(harris_2022):
    ReviewSection.objects.create(review=harris_2022, slug="mayor", title="The Mayor", order=1)
    with pytest.raises(ValidationError) as error:
        Recommendation(review=harris_2022, number=1, text="x", section="other").full_clean()
    assert error.value.message_dict["section"] == [
        "“other” is not a section of Harris Review 2022: use mayor"
    ]
    Recommendation(review=harris_2022, number=1, text="x", section="mayor").full_clean()


def test_made_on_defaults_to_its_reviews_publication_on_save_and_in_bulk(harris_2022):
    saved = Recommendation.objects.create(review=harris_2022, number=1, text="x")
    [bulk] = Recommendation.objects.bulk_create([Recommendation(number=2, text="y")])
    given = Recommendation.objects.create(number=3, text="z", made_on=D(2017, 1, 5))
    assert saved.made_on == D(2022, 3, 1)
    assert (bulk.review.slug, bulk.made_on) == ("harris-2016", D(2016, 10, 31))
    assert given.made_on == D(2017, 1, 5)


def test_a_response_date_needs_a_response():
    with pytest.raises(IntegrityError), transaction.atomic():
        RecommendationFactory(response="", response_date=D(2017, 1, 1))
    recorded = RecommendationFactory(response="accepted", response_date=D(2017, 1, 1))
    assert recorded.response_label == "Accepted"
    assert RecommendationFactory().response_label == "not recorded"


def test_a_review_with_recommendations_cannot_be_deleted(harris_2022):
    RecommendationFactory(review=harris_2022)
    with pytest.raises(IntegrityError), transaction.atomic():
        harris_2022.delete()


# --- Links --------------------------------------------------------------------------------


def seen(recommendation) -> list[tuple[str, str, int]]:
    return [
        (link.label, link.other.review.short_title, link.other.number)
        for link in RecommendationLink.objects.seen_from(recommendation)
    ]


def test_links_read_both_ways_with_the_other_review(harris_2022):
    r47 = RecommendationFactory(number=47)
    r48 = RecommendationFactory(number=48)
    new3 = RecommendationFactory(review=harris_2022, number=3)
    new4 = RecommendationFactory(review=harris_2022, number=4)
    RecommendationLinkFactory(from_recommendation=new3, to_recommendation=r47, kind="takes-up")
    RecommendationLinkFactory(from_recommendation=new4, to_recommendation=r47, kind="supersedes")
    RecommendationLinkFactory(from_recommendation=r48, to_recommendation=r47)

    assert seen(r47) == [
        ("Superseded by", "Harris Review 2022", 4),
        ("Taken up by", "Harris Review 2022", 3),
        ("Related to", "Harris Review 2016", 48),
    ]
    assert seen(new3) == [("Takes up", "Harris Review 2016", 47)]
    assert seen(new4) == [("Supersedes", "Harris Review 2016", 47)]
    assert seen(r48) == [("Related to", "Harris Review 2016", 47)]


def test_a_recommendation_cannot_link_to_itself():
    recommendation = RecommendationFactory()
    link = RecommendationLink(from_recommendation=recommendation, to_recommendation=recommendation)
    with pytest.raises(ValidationError):
        link.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        link.save()


def test_a_link_is_made_once_and_related_once_either_way():
    link = RecommendationLinkFactory(kind=LinkKind.TAKES_UP)
    a, b = link.from_recommendation, link.to_recommendation
    with pytest.raises(IntegrityError), transaction.atomic():
        RecommendationLinkFactory(from_recommendation=a, to_recommendation=b, kind="takes-up")
    RecommendationLinkFactory(from_recommendation=a, to_recommendation=b, kind="related")
    backwards = RecommendationLink(from_recommendation=b, to_recommendation=a, kind="related")
    with pytest.raises(ValidationError, match="already related"):
        backwards.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        backwards.save()
