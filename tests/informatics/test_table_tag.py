"""The `{% table %}` tag (informatics.templatetags.portal): a table's region, headings and body."""

import re
from typing import Any

import pytest
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


CASES = {
    "a labelled table scrolls in its named region, with a row actions column": (
        '{% table columns="Rank:num|Priority" labelledby="active-heading" class="table--stack" '
        'actions=can_edit|yesno:"Reorder," %}<tr><td>1</td></tr>{% endtable %}',
        {"can_edit": True},
        '<div class="table-wrap" tabindex="0" role="region" '
        'aria-labelledby="active-heading scroll-area-label">'
        '<table class="table table--stack"><thead><tr>'
        '<th scope="col" class="num">Rank</th><th scope="col">Priority</th>'
        '<th scope="col"><span class="visually-hidden">Reorder</span></th>'
        "</tr></thead><tbody><tr><td>1</td></tr></tbody></table></div>",
    ),
    "an unlabelled table has no region, nor an actions column its reader may not use": (
        '{% table columns="Role|Active people:num" caption="Active people by role" '
        'actions=can_edit|yesno:"Actions," %}<tr></tr>{% endtable %}',
        {"can_edit": False},
        '<table class="table"><caption class="visually-hidden">Active people by role</caption>'
        '<thead><tr><th scope="col">Role</th><th scope="col" class="num">Active people</th>'
        "</tr></thead><tbody><tr></tr></tbody></table>",
    ),
    "a column naming a sort key is a sortable heading, marked when the table is sorted by it": (
        '{% table columns="#:num|Votes:num:votes|Submitted::age" sort_links=links %}{% endtable %}',
        {
            "links": {
                "votes": {"url": "?sort=votes", "aria_sort": "descending"},
                "age": {"url": "?sort=age", "aria_sort": ""},
            }
        },
        '<table class="table"><thead><tr><th scope="col" class="num">#</th>'
        '<th scope="col" class="num sortable" aria-sort="descending"><a href="?sort=votes">Votes'
        '<span aria-hidden="true"> ▼</span></a></th>'
        '<th scope="col" class="sortable"><a href="?sort=age">Submitted'
        '<span class="visually-hidden"> (sort by this)</span></a></th>'
        "</tr></thead><tbody></tbody></table>",
    ),
    "the page's own variables of the option names do not reach the table": (
        '{% table columns="Action" %}{% for action in actions %}<tr><td>{{ action }}</td></tr>'
        "{% endfor %}{% endtable %}",
        {"actions": ["Book the room"], "label": "People", "caption": "Page caption"},
        '<table class="table"><thead><tr><th scope="col">Action</th></tr></thead>'
        "<tbody><tr><td>Book the room</td></tr></tbody></table>",
    ),
}


@pytest.mark.parametrize(("source", "context", "html"), CASES.values(), ids=CASES.keys())
def test_the_table_tag_draws_region_headings_and_rows(
    source: str, context: dict[str, Any], html: str
) -> None:
    assert _render(source, **context) == html
