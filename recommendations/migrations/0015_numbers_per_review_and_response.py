# A recommendation's review is required; its number is unique within its review, not across
# the site; its date defaults to its review's publication (set on save); and the response to
# it is recorded beside, and apart from, its status.

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import recommendations.fields

RESPONSES = [
    ("accepted", "Accepted"),
    ("accepted-in-principle", "Accepted in principle"),
    ("not-accepted", "Not accepted"),
    ("awaiting", "Awaiting response"),
]


def response_fields(model_name):
    return [
        migrations.AddField(
            model_name=model_name,
            name="response",
            field=models.CharField(blank=True, choices=RESPONSES, help_text="The response to it, if one is recorded. Separate from the status.", max_length=30),
        ),
        migrations.AddField(
            model_name=model_name,
            name="response_date",
            field=models.DateField(blank=True, null=True, verbose_name="response date"),
        ),
        migrations.AddField(
            model_name=model_name,
            name="response_text",
            field=recommendations.fields.CleanTextField(blank=True, verbose_name="response in brief"),
        ),
    ]


def number_and_date(model_name):
    return [
        migrations.AlterField(
            model_name=model_name,
            name="number",
            field=models.PositiveIntegerField(help_text="The number the review gave it; unique within the review.", validators=[django.core.validators.MinValueValidator(1)]),
        ),
        migrations.AlterField(
            model_name=model_name,
            name="made_on",
            field=models.DateField(blank=True, help_text="When the review made it. Empty: the review's publication date."),
        ),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("recommendations", "0014_recommendations_into_harris_2016"),
    ]

    operations = [
        migrations.AlterField(
            model_name="recommendation",
            name="review",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="recommendations", to="recommendations.review"),
        ),
        *number_and_date("recommendation"),
        *number_and_date("historicalrecommendation"),
        migrations.AddConstraint(
            model_name="recommendation",
            constraint=models.UniqueConstraint(fields=("review", "number"), name="recommendation_number_per_review"),
        ),
        *response_fields("recommendation"),
        *response_fields("historicalrecommendation"),
        migrations.AddConstraint(
            model_name="recommendation",
            constraint=models.CheckConstraint(condition=models.Q(models.Q(("response", ""), _negated=True), ("response_date__isnull", True), _connector="OR"), name="recommendation_response_dated_only_if_recorded"),
        ),
    ]
