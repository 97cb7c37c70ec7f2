"""The initiative list's filter form: each field says in words what it filters."""

from initiatives.filters import InitiativeFilter


def test_every_filter_has_a_label_in_words() -> None:
    labels = [(name, str(field.label)) for name, field in InitiativeFilter({}).form.fields.items()]

    assert labels == [
        ("q", "Search"),
        ("stage", "Stage"),
        ("state", "Under way"),
        ("type", "Type"),
        ("priority", "Strategic priority"),
        ("facility", "Facility"),
        ("health", "Health"),
        ("stale", "Stale"),
    ]
