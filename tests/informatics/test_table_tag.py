"""The `{% table %}` tag (informatics.templatetags.portal): a table's region, headings and body."""

import re
from typing import Any

from django.template import engines

from informatics.templatetags.portal import Column, table_columns


def _render(source: str, **context: Any) -> str:
    html = engines["django"].from_string("{% load portal %}" + source).render(context)
    return re.sub(r">\s+<", "><", html.strip())


def test_columns_are_read_from_headings_between_bars_with_a_class_after_a_colon() -> None:
    assert table_columns("Rank:num | Priority|Value category") == [
        Column("Rank", "num"),
        Column("Priority"),
        Column("Value category"),
    ]


def test_a_labelled_table_scrolls_in_its_named_region_with_a_row_actions_column() -> None:
    html = _render(
        '{% table columns="Rank:num|Priority" labelledby="active-heading" class="table--stack" '
        'actions=can_edit|yesno:"Reorder," %}<tr><td>1</td></tr>{% endtable %}',
        can_edit=True,
    )

    assert html == (
        '<div class="table-wrap" tabindex="0" role="region" aria-labelledby="active-heading">'
        '<table class="table table--stack"><thead><tr>'
        '<th scope="col" class="num">Rank</th><th scope="col">Priority</th>'
        '<th scope="col"><span class="visually-hidden">Reorder</span></th>'
        "</tr></thead><tbody><tr><td>1</td></tr></tbody></table></div>"
    )


def test_a_table_without_a_label_has_no_region_and_no_actions_column_when_not_allowed() -> None:
    html = _render(
        '{% table columns="Role|Active people:num" caption="Active people by role" '
        'actions=can_edit|yesno:"Actions," %}<tr></tr>{% endtable %}',
        can_edit=False,
    )

    assert html == (
        '<table class="table"><caption class="visually-hidden">Active people by role</caption>'
        '<thead><tr><th scope="col">Role</th><th scope="col" class="num">Active people</th>'
        "</tr></thead><tbody><tr></tr></tbody></table>"
    )


def test_the_page_s_own_variables_of_the_same_names_do_not_reach_the_table() -> None:
    html = _render(
        '{% table columns="Action" %}{% for action in actions %}<tr><td>{{ action }}</td></tr>'
        "{% endfor %}{% endtable %}",
        actions=["Book the room"],
        label="People",
        caption="Page caption",
    )

    assert html == (
        '<table class="table"><thead><tr><th scope="col">Action</th></tr></thead>'
        "<tbody><tr><td>Book the room</td></tr></tbody></table>"
    )
