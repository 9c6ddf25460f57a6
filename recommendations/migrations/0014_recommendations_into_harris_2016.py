# Every existing recommendation, and every history entry of one, belongs to the Harris
# Review of 2016: two UPDATEs, no row added or lost. Reversible (the review is forgotten).

from django.db import migrations


def into_harris_2016(apps, schema_editor):
    review = apps.get_model("recommendations", "Review").objects.get(slug="harris-2016")
    for name in ("Recommendation", "HistoricalRecommendation"):
        model = apps.get_model("recommendations", name)
        model.objects.filter(review__isnull=True).update(review=review)


def out_of_reviews(apps, schema_editor):
    for name in ("Recommendation", "HistoricalRecommendation"):
        apps.get_model("recommendations", name).objects.update(review=None)


class Migration(migrations.Migration):

    dependencies = [
        ("recommendations", "0013_recommendation_review_field"),
    ]

    operations = [migrations.RunPython(into_harris_2016, out_of_reviews)]
