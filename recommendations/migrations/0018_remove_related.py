# The links replace the untyped many-to-many.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("recommendations", "0017_related_pairs_to_links"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="recommendation",
            name="related",
        ),
    ]
