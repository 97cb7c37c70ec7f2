"""Before targets become unique per metric, facility (or none) and due date: of each set of
duplicates keep the most recently updated (the higher id on a tie) and delete the others."""

from django.db import migrations


def keep_latest_target(apps, schema_editor):
    Target = apps.get_model("metrics", "Target")
    seen = set()
    doomed = []
    rows = Target.objects.order_by("-updated_at", "-id").values_list(
        "id", "metric_id", "facility_id", "due_date"
    )
    for pk, metric_id, facility_id, due_date in rows.iterator():
        key = (metric_id, facility_id, due_date)
        if key in seen:
            doomed.append(pk)
        else:
            seen.add(key)
    for start in range(0, len(doomed), 500):
        Target.objects.filter(pk__in=doomed[start : start + 500]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_initial"),
    ]

    operations = [migrations.RunPython(keep_latest_target, migrations.RunPython.noop)]
