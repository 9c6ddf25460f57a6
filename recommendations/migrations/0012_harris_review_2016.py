# The Harris Review of 2016 as a review, with its two sections, as the sources give it
# (fixtures/sources/progress-report-2017.txt): "published in October 2016, following a
# commission by the Mayor to Lord Harris of Haringey". The day, 31 October, is the one the
# tracker has always used. The sources give no link to the review itself: left empty.

import datetime

from django.db import migrations

HARRIS_2016 = {
    "title": "Harris Review into London's Preparedness to Respond to a Major Terrorist Incident",
    "short_title": "Harris Review 2016",
    "made_by": "Lord Harris of Haringey",
    "commissioned_by": "The Mayor of London",
    "published_on": datetime.date(2016, 10, 31),
    "url": "",
    "description": (
        "An independent review of London's preparedness to respond to a major terrorist "
        "incident, commissioned by the Mayor of London shortly after the Mayoral election of "
        "2016. It made 127 recommendations: 22 aimed at the Mayor's Office, MOPAC and LFEPA, "
        "and 105 at other organisations."
    ),
    "recommendation_count": 127,
    "list_order": 0,
}

#: The slugs and labels the filters and downloads already use, in the report's order.
SECTIONS = [("mayor", "Mayor's Office, MOPAC and LFEPA"), ("other", "Other recommendations")]


def create_review(apps, schema_editor):
    Review = apps.get_model("recommendations", "Review")
    ReviewSection = apps.get_model("recommendations", "ReviewSection")
    review, _ = Review.objects.update_or_create(slug="harris-2016", defaults=HARRIS_2016)
    for order, (slug, title) in enumerate(SECTIONS, start=1):
        ReviewSection.objects.update_or_create(
            review=review, slug=slug, defaults={"title": title, "order": order}
        )


def delete_review(apps, schema_editor):
    apps.get_model("recommendations", "Review").objects.filter(slug="harris-2016").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("recommendations", "0011_reviews_and_sections"),
    ]

    operations = [migrations.RunPython(create_review, delete_review)]
