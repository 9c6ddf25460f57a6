# Today's symmetric "related" pairs become `related` links: one row per pair, from the
# recommendation with the lower id (a related link reads the same from both ends).
# Reversible: the links go back into the pairs.

from django.db import migrations


def pairs_to_links(apps, schema_editor):
    Recommendation = apps.get_model("recommendations", "Recommendation")
    RecommendationLink = apps.get_model("recommendations", "RecommendationLink")
    # The symmetric many-to-many stores each pair both ways: keep one of them.
    pairs = Recommendation.related.through.objects.values_list(
        "from_recommendation_id", "to_recommendation_id"
    )
    links = {(min(a, b), max(a, b)) for a, b in pairs if a != b}
    RecommendationLink.objects.bulk_create(
        RecommendationLink(from_recommendation_id=low, to_recommendation_id=high, kind="related")
        for low, high in sorted(links)
    )


def links_to_pairs(apps, schema_editor):
    Recommendation = apps.get_model("recommendations", "Recommendation")
    RecommendationLink = apps.get_model("recommendations", "RecommendationLink")
    through = Recommendation.related.through
    related = RecommendationLink.objects.filter(kind="related")
    through.objects.bulk_create(
        through(from_recommendation_id=a, to_recommendation_id=b)
        for link in related
        for a, b in [
            (link.from_recommendation_id, link.to_recommendation_id),
            (link.to_recommendation_id, link.from_recommendation_id),
        ]
    )
    related.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("recommendations", "0016_recommendation_links"),
    ]

    operations = [migrations.RunPython(pairs_to_links, links_to_pairs)]
