"""The request → initiative link moves from a column of the request to the portfolio's own
LinkedRequest table (each linked request becomes one row), and intake's models leave this app's
state (intake 0001 took them over; their tables stay as they are until intake 0002).
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    request = apps.get_model("initiatives", "IntakeRequest")
    linked_request = apps.get_model("initiatives", "LinkedRequest")
    alias = schema_editor.connection.alias
    rows = (
        request.objects.using(alias)
        .filter(initiative__isnull=False)
        .order_by("pk")
        .values_list("pk", "initiative_id")
    )
    linked_request.objects.using(alias).bulk_create(
        linked_request(request_id=pk, initiative_id=initiative_id) for pk, initiative_id in rows
    )


def copy_links_back(apps, schema_editor):
    request = apps.get_model("initiatives", "IntakeRequest")
    linked_request = apps.get_model("initiatives", "LinkedRequest")
    alias = schema_editor.connection.alias
    for link in linked_request.objects.using(alias).order_by("pk"):
        request.objects.using(alias).filter(pk=link.request_id).update(
            initiative_id=link.initiative_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0003_portfolio"),
        ("intake", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="LinkedRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "initiative",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="request_links",
                        to="initiatives.initiative",
                    ),
                ),
                (
                    "request",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="initiative_link",
                        to="intake.intakerequest",
                    ),
                ),
            ],
            options={"ordering": ["request_id"]},
        ),
        migrations.RunPython(copy_links, copy_links_back),
        migrations.RemoveField(model_name="intakerequest", name="initiative"),
        migrations.AddField(
            model_name="initiative",
            name="requests",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                through="initiatives.LinkedRequest",
                to="intake.intakerequest",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="intakerequest", name="current_score"),
                migrations.RemoveField(model_name="requestscore", name="request"),
                migrations.DeleteModel(name="RequestComment"),
                migrations.DeleteModel(name="RequestStatusChange"),
                migrations.DeleteModel(name="RequestVote"),
                migrations.DeleteModel(name="RequestScore"),
                migrations.DeleteModel(name="Rubric"),
                migrations.DeleteModel(name="IntakeRequest"),
            ],
        ),
    ]
