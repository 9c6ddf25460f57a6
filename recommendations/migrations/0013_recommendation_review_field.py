# Each recommendation (and each of its history entries) names its review: empty at first,
# filled by the next migration, then required.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("recommendations", "0012_harris_review_2016"),
    ]

    operations = [
        migrations.AddField(
            model_name="recommendation",
            name="review",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="recommendations", to="recommendations.review"),
        ),
        migrations.AddField(
            model_name="historicalrecommendation",
            name="review",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="recommendations.review"),
        ),
    ]
