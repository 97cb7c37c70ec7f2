"""The choices the SPC engine shares with the database (direction, chart type, rule preset,
variation, assurance) have the engine's members, in the engine's order, with their labels."""

from enum import StrEnum

import pytest
from django.db import models

from metrics import choices, spc

SHARED: list[tuple[type[models.TextChoices], type[StrEnum]]] = [
    (choices.Direction, spc.Direction),
    (choices.ChartType, spc.ChartType),
    (choices.RulePreset, spc.RulePreset),
    (choices.Variation, spc.Variation),
    (choices.Assurance, spc.Assurance),
]


@pytest.mark.parametrize(("stored", "engine"), SHARED, ids=lambda c: c.__name__)
def test_a_shared_choice_has_the_engines_members_and_values(
    stored: type[models.TextChoices], engine: type[StrEnum]
) -> None:
    assert [(m.name, m.value) for m in stored] == [(m.name, m.value) for m in engine]


def test_the_shared_choices_keep_their_labels() -> None:
    assert [stored.choices for stored, _ in SHARED] == [
        [
            ("higher", "Higher is better"),
            ("lower", "Lower is better"),
            ("none", "No better direction"),
        ],
        [
            ("run", "Run chart"),
            ("xmr", "XmR"),
            ("p", "p chart"),
            ("u", "u chart"),
            ("c", "c chart"),
            ("laney_p", "Laney p′"),
            ("laney_u", "Laney u′"),
            ("survey", "Survey waves"),
            ("cumulative", "Cumulative"),
        ],
        [
            ("ihi", "IHI run chart rules"),
            ("anhoj", "Anhøj rules"),
            ("western_electric", "Western Electric rules"),
            ("mdc", "NHS Making Data Count"),
        ],
        [
            ("common_cause", "Common cause"),
            ("improvement", "Special cause: improvement"),
            ("concern", "Special cause: concern"),
            ("neutral", "Special cause: neither better nor worse"),
        ],
        [
            ("pass", "Will consistently pass"),
            ("fail", "Will consistently fail"),
            ("hit_and_miss", "Hit and miss"),
        ],
    ]
