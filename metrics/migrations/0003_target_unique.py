from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0002_target_keep_latest"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="target",
            constraint=models.UniqueConstraint(
                condition=models.Q(("facility__isnull", False)),
                fields=("metric", "facility", "due_date"),
                name="target_once_per_facility_and_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="target",
            constraint=models.UniqueConstraint(
                condition=models.Q(("facility__isnull", True)),
                fields=("metric", "due_date"),
                name="target_once_system_wide_per_date",
            ),
        ),
    ]
