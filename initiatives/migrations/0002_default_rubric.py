"""The default scoring rubric of DOMAIN.md §5, as version 1 (admins edit it into new versions)."""

from django.db import migrations

CRITERIA = [
    {"code": "safety_quality", "label": "Patient safety and quality", "weight": 25},
    {"code": "strategic_alignment", "label": "Strategic alignment", "weight": 20},
    {"code": "time_saved", "label": "Clinician time saved", "weight": 15},
    {"code": "reach", "label": "Reach", "weight": 15},
    {"code": "financial", "label": "Financial", "weight": 10},
    {"code": "equity", "label": "Equity", "weight": 5},
    {"code": "evidence", "label": "Evidence", "weight": 5},
    {"code": "readiness", "label": "Readiness", "weight": 5},
]
GATES = {
    "fast_track": ["safety"],
    "mandatory": ["regulatory", "vendor_mandated"],
}
EFFORT_POINTS = {"XS": 1, "S": 2, "M": 3, "L": 5, "XL": 8}


def create_default_rubric(apps, schema_editor):
    Rubric = apps.get_model("initiatives", "Rubric")
    if not Rubric.objects.exists():
        Rubric.objects.create(
            version=1,
            criteria=CRITERIA,
            gates=GATES,
            effort_points=EFFORT_POINTS,
            is_current=True,
            note="Default rubric (DOMAIN.md §5)",
        )


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0001_initial")]

    operations = [migrations.RunPython(create_default_rubric, migrations.RunPython.noop)]
