"""The open data described: /datapackage.json (Frictionless Data Package) and /data/."""

import csv
import datetime
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from public.models import SiteChange
from recommendations.models import Status
from tests.site_data import make_site, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return make_site()


def package_of(client) -> dict:
    response = client.get("/datapackage.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def csv_of(client) -> list[list[str]]:
    body = b"".join(client.get("/recommendations.csv").streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_schema_lists_exactly_the_csvs_columns_in_order(client, site):
    fields = package_of(client)["resources"][0]["schema"]["fields"]
    assert [field["name"] for field in fields] == csv_of(client)[0]
    for field in fields:
        assert field["type"] in {"integer", "string", "date"}
        assert field["description"]


def test_every_csv_value_fits_its_fields_type_and_allowed_values(client, site):
    fields = package_of(client)["resources"][0]["schema"]["fields"]
    _header, *rows = csv_of(client)
    assert len(rows) == 3
    for row in rows:
        for field, value in zip(fields, row, strict=True):
            if value == "":
                assert not field.get("constraints", {}).get("required"), field["name"]
            elif field["type"] == "integer":
                int(value)
            elif field["type"] == "date":
                datetime.date.fromisoformat(value)
            if value and "enum" in field.get("constraints", {}):
                assert value in field["constraints"]["enum"], (field["name"], value)
            if value and field.get("format") == "uri":
                assert value.startswith("http://testserver/")


def test_the_package_names_the_csv_licence_publisher_and_last_change(
    client, site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        site.r32.text = "The MPS should exercise with all its partners."
        site.r32.save()
    package = package_of(client)
    resource = package["resources"][0]
    assert resource["path"] == "http://testserver/recommendations.csv"
    status = next(field for field in resource["schema"]["fields"] if field["name"] == "status")
    assert status["constraints"]["enum"] == ["Resolved", "Resolved by other means", "Ongoing"]
    status_slug = next(f for f in resource["schema"]["fields"] if f["name"] == "status_slug")
    assert status_slug["constraints"]["enum"] == list(Status.values)
    assert package["licenses"] == [
        {
            "name": "OGL-UK-3.0",
            "title": "Open Government Licence v3.0",
            "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        }
    ]
    assert {"title": "Mayor's Office for Policing and Crime (MOPAC)", "role": "publisher"} in (
        package["contributors"]
    )
    changed_at = SiteChange.objects.get(pk=1).changed_at
    assert package["lastModified"] == changed_at.isoformat(timespec="seconds")


def test_the_data_page_describes_each_column_and_links_the_package(client, site):
    response = client.get("/data/")
    assert response.status_code == 200
    page = text_of(response)
    assert "status_slug (string) Its status as the list's filter takes it" in page
    assert "One of: resolved, resolved-by-other-means, ongoing." in page
    assert "Open Government Licence v3.0" in page
    assert 'href="/datapackage.json"' in response.content.decode()
    assert 'href="/data/"' in client.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_frictionless_validates_the_package_fetched_from_the_site(live_server, settings):
    settings.SITE_URL = live_server.url
    # The virtualenv's own command, whether or not its bin directory is on PATH.
    frictionless = Path(sys.executable).with_name("frictionless")
    if not frictionless.exists():
        pytest.skip("frictionless (a dev dependency) is not installed")
    make_site()
    result = subprocess.run(
        [frictionless, "validate", "--json", f"{live_server.url}/datapackage.json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report, indent=2)[:4000]
