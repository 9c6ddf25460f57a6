"""The open-data downloads: /recommendations.csv and /recommendations.json."""

import csv
import io
import json

import pytest
from django.conf import settings
from django.http import StreamingHttpResponse

from tests.factories import (
    OrganisationFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
)

pytestmark = pytest.mark.django_db

REQUIRED_COLUMNS = {
    "number",
    "text",
    "status",
    "section",
    "owners",
    "last_updated",
    "latest_update",
}


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "a BOM makes spreadsheets read the file as UTF-8"
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def json_rows(response) -> list[dict]:
    return json.loads(b"".join(response.streaming_content))["recommendations"]


@pytest.fixture
def two_recommendations():
    mps = OrganisationFactory(name="Metropolitan Police Service", acronym="MPS", slug="mps")
    mopac = OrganisationFactory(
        name="Mayor's Office for Policing and Crime", acronym="MOPAC", slug="mopac"
    )
    resolved = RecommendationFactory(number=10, text="The Mayor should resist.", section="mayor")
    OwnershipFactory(recommendation=resolved, organisation=mps, is_lead=True)
    OwnershipFactory(recommendation=resolved, organisation=mopac, is_lead=False)
    ProgressUpdateFactory(
        recommendation=resolved, date="2017-10-31", status="resolved", text="Ça a été résolu."
    )
    ongoing = RecommendationFactory(number=47, text='=HYPERLINK("http://evil")')
    OwnershipFactory(recommendation=ongoing, organisation=mopac, is_lead=True)
    ProgressUpdateFactory(recommendation=ongoing, date="2017-10-31", status="ongoing")
    return resolved, ongoing


def test_csv_has_a_row_per_recommendation_with_the_contract_columns(client, two_recommendations):
    response = client.get("/recommendations.csv")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert set(rows[0]) >= REQUIRED_COLUMNS
    assert [row["number"] for row in rows] == ["10", "47"]
    first = rows[0]
    assert first["status"] == "Resolved"
    assert first["section"] == "Mayor's Office, MOPAC and LFEPA"
    assert first["owners"] == "Metropolitan Police Service; Mayor's Office for Policing and Crime"
    assert first["lead_owner"] == "Metropolitan Police Service"
    assert first["last_updated"] == "2017-10-31"
    assert first["latest_update"] == "Ça a été résolu."


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(client, two_recommendations):
    rows = csv_rows(client.get("/recommendations.csv"))
    assert rows[1]["text"] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize("url", ["/recommendations.csv", "/recommendations.json"])
def test_the_status_filter_selects_rows(client, two_recommendations, url):
    response = client.get(url, {"status": "ongoing"})
    rows = csv_rows(response) if url.endswith("csv") else json_rows(response)
    assert [int(row["number"]) for row in rows] == [47]
    assert rows[0]["status"] == "Ongoing"


@pytest.mark.parametrize("url", ["/recommendations.csv", "/recommendations.json"])
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "done"}, "status: 'done' is not a known value; use one of resolved"),
        ({"section": "mayors"}, "section: 'mayors' is not a known value"),
        ({"owner": "nobody"}, "owner: 'nobody' is not the slug of an organisation"),
        ({"stauts": "resolved"}, "Unknown parameter 'stauts'"),
    ],
)
def test_an_unknown_filter_value_is_a_400_that_says_why(
    client, two_recommendations, url, query, message
):
    response = client.get(url, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_json_download_answers_its_400s_in_json(client, two_recommendations):
    response = client.get("/recommendations.json", {"status": "done", "stauts": "x"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert any(error.startswith("status: 'done' is not a known value") for error in errors)
    assert any(error.startswith("Unknown parameter 'stauts'") for error in errors)


def test_json_has_the_same_rows_with_owners_as_a_list(client, two_recommendations):
    response = client.get("/recommendations.json", {"owner": "mopac"})
    assert response.status_code == 200
    rows = json_rows(response)
    assert [row["number"] for row in rows] == [10, 47]
    assert rows[0]["owners"] == [
        "Metropolitan Police Service",
        "Mayor's Office for Policing and Crime",
    ]
    assert set(rows[0]) >= REQUIRED_COLUMNS


def test_text_search_finds_words_in_the_text_and_published_updates_only(
    client, two_recommendations
):
    _, ongoing = two_recommendations
    ProgressUpdateFactory(
        recommendation=ongoing, text="secret draft wording", published=False, date="2018-01-01"
    )
    assert [
        r["number"] for r in json_rows(client.get("/recommendations.json", {"q": "résolu"}))
    ] == [10]
    assert json_rows(client.get("/recommendations.json", {"q": "secret draft"})) == []
    assert [
        r["number"] for r in json_rows(client.get("/recommendations.json", {"q": "mayor RESIST"}))
    ] == [10]


@pytest.mark.parametrize("url", ["/recommendations.csv", "/recommendations.json"])
def test_download_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, url):
    organisation = OrganisationFactory()
    for _ in range(30):
        recommendation = RecommendationFactory()
        OwnershipFactory(recommendation=recommendation, organisation=organisation)
        ProgressUpdateFactory(recommendation=recommendation)
    with django_assert_max_num_queries(3):
        response = client.get(url)
        body = b"".join(response.streaming_content)
    assert len(csv_rows_from(body, url)) == 30


def csv_rows_from(body: bytes, url: str) -> list:
    if url.endswith("json"):
        return json.loads(body)["recommendations"]
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    from django.db import OperationalError, connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "connection refused" not in response.content.decode()


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="full-text search (stemming) is PostgreSQL's; SQLite matches words as typed",
)
def test_on_postgresql_search_finds_other_forms_of_a_word(client):
    bollards = RecommendationFactory(text="Install protective bollards on bridges.")
    ProgressUpdateFactory(recommendation=RecommendationFactory(), text="Crews were trained.")
    found = json_rows(client.get("/recommendations.json", {"q": "bollard"}))
    assert [row["number"] for row in found] == [bollards.number]
    assert len(json_rows(client.get("/recommendations.json", {"q": "training"}))) == 1


@pytest.mark.parametrize("url", ["/recommendations.csv", "/recommendations.json"])
def test_a_repeated_filter_is_a_400_not_the_last_value_silently(client, two_recommendations, url):
    response = client.get(url + "?status=bad&status=resolved")
    assert response.status_code == 400
    assert "status: give one value, not 2" in response.content.decode()


def test_the_extra_slug_and_review_columns_come_after_the_existing_ones(
    client, two_recommendations
):
    body = b"".join(client.get("/recommendations.csv").streaming_content).decode("utf-8-sig")
    header = body.splitlines()[0].split(",")
    assert header == [
        "number",
        "text",
        "status",
        "section",
        "owners",
        "lead_owner",
        "last_updated",
        "latest_update",
        "url",
        "status_slug",
        "section_slug",
        "owner_slugs",
        "review",
    ]


@pytest.mark.parametrize("url", ["/recommendations.csv", "/recommendations.json"])
def test_a_downloaded_rows_slugs_filter_the_list_back_to_it(client, two_recommendations, url):
    response = client.get(url)
    rows = csv_rows(response) if url.endswith("csv") else json_rows(response)
    first = rows[0]
    owners = first["owner_slugs"]
    owners = owners.split("; ") if isinstance(owners, str) else owners
    assert (first["status_slug"], first["section_slug"], owners) == (
        "resolved",
        "mayor",
        ["mps", "mopac"],
    )
    for owner in owners:
        query = {"status": first["status_slug"], "section": first["section_slug"], "owner": owner}
        filtered = json_rows(client.get("/recommendations.json", query))
        assert [row["number"] for row in filtered] == [10]
