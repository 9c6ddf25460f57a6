# A review is data, not a constant: the reviews and their sections (issue 25).

import django.db.models.deletion
from django.db import migrations, models

import recommendations.fields


class Migration(migrations.Migration):

    dependencies = [
        ("recommendations", "0010_public_newest_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="Review",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(help_text="e.g. harris-2016", max_length=60, unique=True)),
                ("title", recommendations.fields.CleanCharField(max_length=300)),
                ("short_title", recommendations.fields.CleanCharField(help_text="e.g. Harris Review 2016", max_length=80)),
                ("made_by", recommendations.fields.CleanCharField(max_length=200, verbose_name="made by")),
                ("commissioned_by", recommendations.fields.CleanCharField(blank=True, max_length=200, verbose_name="commissioned by")),
                ("published_on", models.DateField(verbose_name="published on")),
                ("url", models.URLField(blank=True, help_text="Where the review can be read.", verbose_name="link")),
                ("description", recommendations.fields.CleanTextField(blank=True, verbose_name="short description")),
                ("recommendation_count", models.PositiveIntegerField(blank=True, help_text="How many recommendations it made: forms and imports refuse numbers beyond it. Empty while not known.", null=True)),
                ("list_order", models.PositiveIntegerField(default=0, help_text="Lower first, where reviews are listed.", verbose_name="listed in order")),
            ],
            options={
                "ordering": ["list_order", "published_on", "pk"],
                "constraints": [models.CheckConstraint(condition=models.Q(("short_title", ""), _negated=True), name="review_short_title_given")],
            },
        ),
        migrations.CreateModel(
            name="ReviewSection",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(max_length=10)),
                ("title", recommendations.fields.CleanCharField(max_length=200)),
                ("order", models.PositiveIntegerField(default=0)),
                ("review", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="sections", to="recommendations.review")),
            ],
            options={
                "ordering": ["review", "order", "pk"],
                "constraints": [models.UniqueConstraint(fields=("review", "slug"), name="review_section_slug_unique")],
            },
        ),
    ]
