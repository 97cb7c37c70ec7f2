"""The read-only admin lists (informatics.web.ReadOnlyAdmin): each opens for the admin role,
and fetches the records its columns name with its rows."""

import pytest
from django.contrib import admin
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from informatics.models import AuditEvent, JobRun, StrategicPriority
from informatics.web import ReadOnlyAdmin
from intake.models import RequestVote
from reports.models import ValueReport

pytestmark = pytest.mark.django_db

READ_ONLY = sorted(
    (
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ReadOnlyAdmin)
    ),
    key=lambda model: model._meta.label,
)


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda model: model._meta.label)
def test_every_read_only_list_opens_for_the_admin_role(client: Client, make_user, model) -> None:
    # The services give an admin role holder is_staff and is_superuser.
    user = make_user("admin", is_staff=True, is_superuser=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    opts = model._meta

    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("model", "fetched"),
    [
        (AuditEvent, ("content_type", "actor")),
        (RequestVote, ("request", "voter", "merged_from")),
        (ValueReport, ("priority",)),
        (StrategicPriority, ()),
        (JobRun, ()),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "-".join(value) or "none",
)
def test_a_read_only_list_fetches_the_foreign_keys_among_its_columns(model, fetched) -> None:
    assert admin.site._registry[model].get_list_select_related(HttpRequest()) == fetched
