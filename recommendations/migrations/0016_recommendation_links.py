# Typed links between recommendations of any reviews: related, takes up, supersedes.

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("recommendations", "0015_numbers_per_review_and_response"),
    ]

    operations = [
        migrations.CreateModel(
            name="RecommendationLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("related", "Related to"), ("takes-up", "Takes up"), ("supersedes", "Supersedes")], default="related", max_length=20)),
                ("from_recommendation", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="links_from", to="recommendations.recommendation")),
                ("to_recommendation", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="links_to", to="recommendations.recommendation")),
            ],
            options={
                "ordering": ["from_recommendation", "to_recommendation", "kind"],
                "constraints": [
                    models.UniqueConstraint(fields=("from_recommendation", "to_recommendation", "kind"), name="recommendation_link_unique"),
                    models.UniqueConstraint(django.db.models.functions.comparison.Least("from_recommendation", "to_recommendation"), django.db.models.functions.comparison.Greatest("from_recommendation", "to_recommendation"), condition=models.Q(("kind", "related")), name="recommendation_link_related_once", violation_error_message="These recommendations are already related."),
                    models.CheckConstraint(condition=models.Q(("from_recommendation", models.F("to_recommendation")), _negated=True), name="recommendation_link_not_to_itself"),
                ],
            },
        ),
    ]
