"""The kernel's helpers for declaring a model's unique key."""

from django.db import models

from informatics.models import GroupRoleMapping, IdentityLink, keyed_by, one_row_per


def test_one_row_per_is_the_unique_constraint_over_the_fields() -> None:
    assert one_row_per("issuer", "subject", name="link_once") == models.UniqueConstraint(
        fields=["issuer", "subject"], name="link_once"
    )


def test_keyed_by_lists_the_rows_in_the_order_of_their_key() -> None:
    ordering, constraints = keyed_by("group", "role", name="mapping_once")

    assert ordering == ["group", "role"]
    assert constraints == [models.UniqueConstraint(fields=["group", "role"], name="mapping_once")]


def test_a_model_keyed_by_its_fields_is_ordered_and_constrained_by_them() -> None:
    meta = GroupRoleMapping._meta

    assert meta.ordering == ["group", "role"]
    assert meta.constraints == [
        models.UniqueConstraint(fields=["group", "role"], name="group_role_mapping_unique")
    ]
    assert IdentityLink._meta.constraints == [
        models.UniqueConstraint(fields=["issuer", "subject"], name="identity_link_subject")
    ]
