"""Intake leaves the initiatives app: its six models (and the requests' priorities table) are
taken over as they stand, tables and rows untouched, so this migration changes the state only.
The content types move with them (their ids, and so every audit event and permission that
points at them, stay). initiatives 0004 then drops the old state and the request → initiative
column (its rows become LinkedRequest rows), and 0002 here renames the tables to intake's own.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED = (
    "rubric",
    "intakerequest",
    "requestvote",
    "requestcomment",
    "requestscore",
    "requeststatuschange",
)


def relabel_content_types(apps, schema_editor, *, source="initiatives", target="intake"):
    content_type = apps.get_model("contenttypes", "ContentType")
    rows = content_type.objects.using(schema_editor.connection.alias)
    # A content type created under the new label before this ran (none in practice) gives way.
    rows.filter(app_label=target, model__in=MOVED).delete()
    rows.filter(app_label=source, model__in=MOVED).update(app_label=target)


def relabel_back(apps, schema_editor):
    relabel_content_types(apps, schema_editor, source="intake", target="initiatives")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("initiatives", "0003_portfolio"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("informatics", "0002_notifications_phi_redaction"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IntakeRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("version", models.PositiveIntegerField(default=1)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("pain_point", "Workflow pain point"),
                                    ("enhancement", "Enhancement"),
                                    ("break_fix", "Something is broken"),
                                    ("safety", "Patient-safety issue"),
                                    ("regulatory", "Regulatory or compliance"),
                                    ("vendor_mandated", "Vendor-mandated change"),
                                    ("training_gap", "Training gap (it may already exist)"),
                                    ("minor_config", "Minor configuration"),
                                    ("new_cds", "New alert or decision support"),
                                    ("new_capability", "New capability"),
                                    ("ai", "AI or automation"),
                                    ("data_report", "Data or report"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("title", models.CharField(max_length=200)),
                        ("story_today", models.TextField(help_text="What happens today.")),
                        ("story_wanted", models.TextField(help_text="What should happen instead.")),
                        ("workflow_area", models.CharField(blank=True, max_length=100)),
                        ("ehr_module", models.CharField(blank=True, max_length=100)),
                        ("specialty", models.CharField(blank=True, max_length=100)),
                        (
                            "frequency",
                            models.CharField(
                                choices=[
                                    ("several_daily", "Several times a day"),
                                    ("daily", "Daily"),
                                    ("weekly", "Weekly"),
                                    ("monthly", "Monthly"),
                                    ("rarely", "Rarely"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "minutes_lost",
                            models.PositiveIntegerField(
                                blank=True,
                                help_text="Minutes lost each time it happens.",
                                null=True,
                            ),
                        ),
                        ("is_safety_concern", models.BooleanField(default=False)),
                        ("is_regulatory", models.BooleanField(default=False)),
                        (
                            "is_private",
                            models.BooleanField(
                                default=False,
                                help_text="Only the submitter and the informatics team see it.",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("submitted", "Submitted"),
                                    ("triage", "In triage"),
                                    ("needs_info", "Needs info"),
                                    ("scored", "Scored"),
                                    ("in_review", "In review"),
                                    ("decided", "Decided"),
                                    ("scheduled", "Scheduled"),
                                    ("in_build", "In build"),
                                    ("released", "Released"),
                                    ("benefit_check", "Benefit check"),
                                    ("closed", "Closed"),
                                    ("declined", "Declined"),
                                    ("redirected", "Redirected"),
                                    ("merged", "Merged"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                default="submitted",
                                max_length=20,
                            ),
                        ),
                        (
                            "status_changed_at",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                        (
                            "route",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("service_desk", "Service desk"),
                                    ("fast_track", "Fast track"),
                                    ("mandatory", "Mandatory"),
                                    ("release_board", "Release board"),
                                    ("training", "Training"),
                                    ("informatics_team", "Informatics team"),
                                    ("workgroup", "Specialty workgroup"),
                                    ("cds_committee", "CDS committee"),
                                    ("steering", "Steering committee"),
                                    ("ai_governance", "AI governance"),
                                    ("analytics", "Analytics"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("routed_at", models.DateTimeField(blank=True, null=True)),
                        ("sla_due_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "ratings",
                            models.JSONField(
                                blank=True, default=dict, help_text="Triage ratings 0–5."
                            ),
                        ),
                        (
                            "reach_rating",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                help_text="Triage's reach rating, when above the people count's.",
                                null=True,
                            ),
                        ),
                        ("build_hours", models.PositiveIntegerField(blank=True, null=True)),
                        (
                            "decline_reason",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("conflicts_with_standard", "Conflicts with standard"),
                                    ("low_value", "Low value"),
                                    ("duplicate", "Duplicate"),
                                    ("not_feasible", "Not feasible"),
                                    ("vendor_limitation", "Vendor limitation"),
                                    ("policy_change_needed", "Policy change needed"),
                                ],
                                max_length=30,
                            ),
                        ),
                        (
                            "duplicate_of",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="duplicates",
                                to="intake.intakerequest",
                            ),
                        ),
                        (
                            "facility",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="requests",
                                to="informatics.facility",
                            ),
                        ),
                        (
                            "priorities",
                            models.ManyToManyField(
                                blank=True,
                                related_name="requests",
                                to="informatics.strategicpriority",
                            ),
                        ),
                        (
                            "submitted_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="requests",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "suggested_priority",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="informatics.strategicpriority",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "initiatives_intakerequest",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="RequestComment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("comment", "Comment"),
                                    ("question", "Question to the submitter"),
                                    ("answer", "Answer"),
                                ],
                                default="comment",
                                max_length=10,
                            ),
                        ),
                        ("body", models.TextField()),
                        (
                            "answered_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="intake.requestcomment",
                            ),
                        ),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "request",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="comments",
                                to="intake.intakerequest",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "initiatives_requestcomment",
                        "ordering": ["created_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="RequestScore",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(
                                choices=[
                                    ("triage", "Triage inputs"),
                                    ("vote", "A +1"),
                                    ("merge", "A duplicate merged in"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("breakdown", models.JSONField()),
                        (
                            "people",
                            models.PositiveIntegerField(
                                help_text="Distinct people behind the request."
                            ),
                        ),
                        ("reach", models.PositiveSmallIntegerField()),
                        ("value", models.DecimalField(decimal_places=2, max_digits=6)),
                        (
                            "effort_band",
                            models.CharField(
                                choices=[
                                    ("XS", "XS (under 8 h)"),
                                    ("S", "S (8 to 40 h)"),
                                    ("M", "M (40 to 160 h)"),
                                    ("L", "L (160 to 500 h)"),
                                    ("XL", "XL (500 h or more)"),
                                ],
                                max_length=2,
                            ),
                        ),
                        ("effort_points", models.PositiveSmallIntegerField()),
                        ("priority_index", models.DecimalField(decimal_places=2, max_digits=7)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "request",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="scores",
                                to="intake.intakerequest",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "initiatives_requestscore",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.AddField(
                    model_name="intakerequest",
                    name="current_score",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="intake.requestscore",
                    ),
                ),
                migrations.CreateModel(
                    name="RequestStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "from_status",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("submitted", "Submitted"),
                                    ("triage", "In triage"),
                                    ("needs_info", "Needs info"),
                                    ("scored", "Scored"),
                                    ("in_review", "In review"),
                                    ("decided", "Decided"),
                                    ("scheduled", "Scheduled"),
                                    ("in_build", "In build"),
                                    ("released", "Released"),
                                    ("benefit_check", "Benefit check"),
                                    ("closed", "Closed"),
                                    ("declined", "Declined"),
                                    ("redirected", "Redirected"),
                                    ("merged", "Merged"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("submitted", "Submitted"),
                                    ("triage", "In triage"),
                                    ("needs_info", "Needs info"),
                                    ("scored", "Scored"),
                                    ("in_review", "In review"),
                                    ("decided", "Decided"),
                                    ("scheduled", "Scheduled"),
                                    ("in_build", "In build"),
                                    ("released", "Released"),
                                    ("benefit_check", "Benefit check"),
                                    ("closed", "Closed"),
                                    ("declined", "Declined"),
                                    ("redirected", "Redirected"),
                                    ("merged", "Merged"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("note", models.TextField(blank=True)),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "request",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="intake.intakerequest",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "initiatives_requeststatuschange",
                        "ordering": ["at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="RequestVote",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("specialty", models.CharField(blank=True, max_length=100)),
                        (
                            "frequency",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("several_daily", "Several times a day"),
                                    ("daily", "Daily"),
                                    ("weekly", "Weekly"),
                                    ("monthly", "Monthly"),
                                    ("rarely", "Rarely"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "facility",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="informatics.facility",
                            ),
                        ),
                        (
                            "merged_from",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="intake.intakerequest",
                            ),
                        ),
                        (
                            "request",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="votes",
                                to="intake.intakerequest",
                            ),
                        ),
                        (
                            "voter",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="request_votes",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "initiatives_requestvote",
                        "ordering": ["created_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Rubric",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("version", models.PositiveIntegerField(unique=True)),
                        ("criteria", models.JSONField()),
                        ("gates", models.JSONField(default=dict)),
                        ("effort_points", models.JSONField()),
                        ("is_current", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("note", models.CharField(blank=True, max_length=200)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "initiatives_rubric",
                        "ordering": ["-version"],
                    },
                ),
                migrations.AddField(
                    model_name="requestscore",
                    name="rubric",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="scores",
                        to="intake.rubric",
                    ),
                ),
                migrations.AddIndex(
                    model_name="intakerequest",
                    index=models.Index(
                        fields=["status", "created_at"], name="initiatives_status_d8b124_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="intakerequest",
                    index=models.Index(
                        fields=["submitted_by", "-created_at"],
                        name="initiatives_submitt_2278c5_idx",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="intakerequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("duplicate_of", models.F("id")), _negated=True),
                        name="request_not_duplicate_of_itself",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="requestvote",
                    constraint=models.UniqueConstraint(
                        fields=("request", "voter"), name="vote_once_per_request"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="rubric",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("is_current", True)),
                        fields=("is_current",),
                        name="rubric_one_current",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="requestscore",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("value__gte", 0), ("value__lte", 100)),
                        name="score_value_0_100",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="requestscore",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("effort_points__gt", 0)), name="score_effort_positive"
                    ),
                ),
            ],
        ),
        migrations.RunPython(relabel_content_types, relabel_back),
    ]
