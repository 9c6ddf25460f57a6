"""`load_initial_data` loads the data files of fixtures/ into an empty database, in an order
that never duplicates an organisation, and loads nothing into a database in use."""

import json

import pytest
from django.core.management import call_command

from boards.models import Action, AgendaItem, Attendance, Board, Meeting
from harris_tracker.management.commands import load_initial_data
from recommendations.models import Organisation, Recommendation
from tests.boards.conftest import FIXTURES, recommendation_numbers_in_boards_fixture
from tests.factories import OrganisationFactory, RecommendationFactory
from tools import board_records

pytestmark = pytest.mark.django_db


def test_loading_board_organisations_updates_existing_rows_instead_of_duplicating(db):
    mps = OrganisationFactory(name="Metropolitan Police Service", acronym="MPS", slug="mps")
    home_office = OrganisationFactory(name="Home Office", acronym="HO", slug="home-office")

    call_command("loaddata", "board_organisations", verbosity=0)

    assert Organisation.objects.filter(slug="mps").get().pk == mps.pk
    home_office.refresh_from_db()
    assert home_office.acronym == ""  # the fixture's spelling wins
    assert Organisation.objects.count() == len(board_records.ORGANISATIONS)


def test_load_initial_data_loads_boards_after_a_recommendations_fixture_with_its_own_pks(
    db, tmp_path
):
    # A stand-in for fixtures/recommendations.json: organisations with explicit pks (the
    # first ids a sequence would give) and the recommendations the boards name.
    stand_in = [
        {
            "model": "recommendations.organisation",
            "pk": pk,
            "fields": {"name": name, "acronym": acronym, "slug": slug},
        }
        for pk, (slug, name, acronym) in enumerate(
            [
                ("btp", "British Transport Police", "BTP"),
                ("mps", "Metropolitan Police Service", "MPS"),
                ("mopac", "Mayor's Office for Policing and Crime", "MOPAC"),
            ],
            start=1,
        )
    ] + [
        {
            "model": "recommendations.recommendation",
            "pk": number,
            "fields": {"number": number, "text": f"Recommendation {number}.", "section": "other"},
        }
        for number in sorted(recommendation_numbers_in_boards_fixture())
    ]
    recommendations = tmp_path / "recommendations.json"
    recommendations.write_text(json.dumps(stand_in), encoding="utf-8")

    call_command(
        "load_initial_data",
        fixtures=[str(recommendations), "board_organisations", "boards"],
        verbosity=0,
    )

    assert Organisation.objects.get(slug="mps").pk == 2
    assert Organisation.objects.filter(slug="btp").exists()
    assert Organisation.objects.count() == len(board_records.ORGANISATIONS) + 1
    assert Board.objects.count() == 4
    assert load_initial_data.FIXTURES == ["recommendations", "board_organisations", "boards"]


def test_load_initial_data_loads_nothing_into_a_database_with_recommendations(db):
    RecommendationFactory(number=1)

    call_command("load_initial_data", verbosity=0)

    assert not Board.objects.exists()


def test_all_fixtures_load_together(db):
    before = set()
    for obj in json.loads((FIXTURES / "recommendations.json").read_text(encoding="utf-8")):
        if obj["model"] == "recommendations.organisation":
            before.add(obj["fields"]["slug"])

    call_command("load_initial_data", verbosity=0)

    assert Recommendation.objects.count() == 127
    assert Board.objects.count() == 4
    slugs = list(Organisation.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == len(before | set(board_records.ORGANISATIONS))
    contest = Board.objects.get(slug="contest-board")
    assert sorted(r.number for r in contest.oversees.all()) == [13, 32, 62, 78, 106, 115, 123]
    bollards = Meeting.objects.get(board__slug="contest-board", date="2017-10-20").items.get()
    assert Recommendation.objects.get(number=32) in bollards.recommendations.all()
    assert "bollards" in Recommendation.objects.get(number=32).text
    for model in [Board, Meeting, Attendance, AgendaItem, Action]:
        for obj in model.objects.all():
            obj.full_clean()

    call_command("load_initial_data", verbosity=0)  # idempotent: a second run loads nothing
    assert Board.objects.count() == 4
    assert Organisation.objects.count() == len(slugs)
