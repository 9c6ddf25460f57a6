from django.db import migrations, models


def create_counter(apps, schema_editor):
    apps.get_model("public", "SiteChange").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SiteChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveBigIntegerField(default=0)),
            ],
            options={"verbose_name": "site change counter"},
        ),
        migrations.RunPython(create_counter, migrations.RunPython.noop),
    ]
