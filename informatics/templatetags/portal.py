"""Template filters of the portal: permission checks, role labels, durations, money, audit
values.

Load with `{% load portal %}`. Templates ask the same predicates as views and services:
`{% if user|can:"priority.edit" %}`.
"""

import datetime
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django import template
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.forms import BoundField
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.module_loading import import_string

from informatics.choices import Role
from informatics.formatting import money_text
from informatics.permissions import can as can_predicate
from informatics.services import site_settings_get

register = template.Library()


@register.filter
def can(user: Any, action: str) -> bool:
    """`user|can:"priority.edit"`: whether the user may take the action (no record given)."""
    return can_predicate(user, action)


def choice_label(choices: type[models.TextChoices], value: Any) -> str:
    """A choice value's label; an unknown value is shown as it is."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@register.filter
def role_label(role: str) -> str:
    """`"cmo"|role_label` → "CMO"; an unknown value is shown as it is."""
    return choice_label(Role, role)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


@register.filter
def duration(value: datetime.timedelta | None) -> str:
    """A time span in words: 15 minutes, 1 hour 30 minutes, 2 days."""
    if value is None:
        return ""
    total_minutes = max(int(value.total_seconds() // 60), 0)
    if total_minutes == 0:
        return _plural(max(int(value.total_seconds()), 0), "second")
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        _plural(amount, unit)
        for amount, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if amount
    ]
    return " ".join(parts)


@register.simple_tag
def lockout_period() -> str:
    """How long a locked-out account stays locked (settings.AXES_COOLOFF_TIME), in words."""
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(cooloff, int | float) and not isinstance(cooloff, bool):
        cooloff = datetime.timedelta(hours=cooloff)  # django-axes reads a number as hours
    if isinstance(cooloff, datetime.timedelta):
        return duration(cooloff)
    return ""


@register.simple_tag
def password_reset_period() -> str:
    """How long a password reset link stays valid (settings.PASSWORD_RESET_TIMEOUT), in words."""
    return duration(datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT))


@register.filter
def money(value: Any, cents: bool = False) -> str:
    """An amount in the organisation's currency: `{{ amount|money }}` → "$25,000" (two decimals
    when there are cents, or always with `money:True`); "—" for none."""
    return money_text(value, site_settings_get().currency, cents=bool(cents))


@register.filter
def fields_with_errors(form: Any) -> list[BoundField]:
    """The visible fields of a bound form that have errors, in the form's order."""
    return [field for field in form.visible_fields() if field.errors]


@register.filter
def is_past(value: datetime.datetime | datetime.date | None) -> bool:
    """Whether a due date or time has passed (a date is past from the day after)."""
    if value is None:
        return False
    if isinstance(value, datetime.datetime):
        return value < timezone.now()
    return value < timezone.localdate()


@register.filter
def audit_value(value: Any) -> str:
    """One side of an audit change ([old, new]) as text: empty values show as an em dash."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(audit_value(item) for item in value)
    return str(value)


@dataclass(frozen=True)
class AuditRow:
    """One changed field as a person reads it. A JSON object (a request's ratings, a maturity
    assessment's scores) comes as `old_table` / `new_table` too: (label, value) pairs, shown as
    a small table instead of the text."""

    label: str
    old: str
    new: str
    old_table: list[tuple[str, str]] = dataclass_field(default_factory=list)
    new_table: list[tuple[str, str]] = dataclass_field(default_factory=list)


@functools.cache
def _key_choices() -> dict[str, dict[str, str]]:
    """The labels of the keys of JSON fields, "app_label.model.field" → {key: label}: each app
    names the TextChoices of its fields' keys on its AppConfig (`audit_keys`)."""
    found: dict[str, dict[str, str]] = {}
    for config in apps.get_app_configs():
        for name, path in getattr(config, "audit_keys", {}).items():
            choices = import_string(path)
            found[name] = {str(value): str(label) for value, label in choices.choices}
    return found


def _table(keys: dict[str, str], value: dict[str, Any]) -> list[tuple[str, str]]:
    """A JSON object as (label, value) rows, in the order of its key choices (the order the
    pages show them), unknown keys last."""
    order = {key: n for n, key in enumerate(keys)}
    ordered = sorted(value.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    return [(keys.get(key) or field_label(key), audit_value(item)) for key, item in ordered]


def _display(field: Any, value: Any) -> str:
    """A stored audit value as a person reads it: choice labels, local dates and times."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    choices = dict(getattr(field, "flatchoices", None) or ())
    if choices and not isinstance(value, list | tuple) and value in choices:
        return str(choices[value])
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return date_format(timezone.localtime(moment), "j M Y, H:i")
    if isinstance(field, models.DateField) and isinstance(value, str):
        day = parse_date(value)
        if day is not None:
            return date_format(day, "j M Y")
    if isinstance(value, dict):
        count = len(value)
        return f"{count} value{'s' if count != 1 else ''}"
    return audit_value(value)


@register.filter
def audit_rows(event: Any) -> list[AuditRow]:
    """An audit event's changes with the field labels, choice labels and readable values; a
    JSON object's keys read with their labels (`audit_keys` of the app's config)."""
    model = event.content_type.model_class()
    rows = []
    for name, change in event.changes.items():
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            field = None
        verbose = str(getattr(field, "verbose_name", "") or "")
        # Django's own verbose name is the field's name with spaces: words need their acronyms.
        label = field_label(name) if verbose in ("", name.replace("_", " ")) else verbose
        old, new = [*change, None, None][:2] if isinstance(change, list) else (None, change)
        keys = _key_choices().get(
            f"{event.content_type.app_label}.{event.content_type.model}.{name}", {}
        )
        rows.append(
            AuditRow(
                label=label[:1].upper() + label[1:],
                old=_display(field, old),
                new=_display(field, new),
                old_table=_table(keys, old) if isinstance(old, dict) and old else [],
                new_table=_table(keys, new) if isinstance(new, dict) and new else [],
            )
        )
    return rows


# Words a field name spells in lower case that people write in capitals.
ACRONYMS = frozenset({"ai", "cds", "cmio", "cmo", "ehr", "id", "phi", "roi", "sla", "spc", "url"})
_WORDS = re.compile(r"[a-z0-9]+", re.IGNORECASE)


@register.filter
def field_label(name: str) -> str:
    """An audit change's field name as words: executive_sponsor → Executive sponsor,
    sla_due_at → SLA due at, cmio_owner → CMIO owner."""
    words = [
        word.upper() if word.lower() in ACRONYMS else word
        for word in _WORDS.findall(str(name).replace("_", " "))
    ]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


class PartialNode(template.Node):
    """Renders a partial with the tag's arguments, and the tag's body as the variable
    `body_name`; an option left out is None there, whatever the page calls by that name."""

    def __init__(
        self,
        nodelist: template.NodeList,
        kwargs: dict[str, Any],
        partial_name: str,
        body_name: str,
        options: tuple[str, ...] = (),
    ) -> None:
        self.nodelist = nodelist
        self.kwargs = kwargs
        self.partial_name = partial_name
        self.body_name = body_name
        self.options = options

    def render(self, context: template.Context) -> str:
        values = dict.fromkeys(self.options)
        values |= {name: value.resolve(context) for name, value in self.kwargs.items()}
        values[self.body_name] = self.nodelist.render(context)
        assert context.template is not None, "a partial tag renders only inside a template"
        partial = context.template.engine.get_template(self.partial_name)
        with context.push(**values):
            return partial.render(context)


def _partial_tag(
    parser: template.base.Parser,
    token: template.base.Token,
    partial_name: str,
    body_name: str,
    options: tuple[str, ...] = (),
) -> PartialNode:
    """Parses `{% name a=b … %}…{% endname %}` into a PartialNode."""
    name, *bits = token.split_contents()
    kwargs = template.base.token_kwargs(bits, parser)
    if bits:
        raise template.TemplateSyntaxError(f"{name} takes only name=value arguments")
    nodelist = parser.parse((f"end{name}",))
    parser.delete_first_token()
    return PartialNode(nodelist, kwargs, partial_name, body_name, options)


@register.tag
def addform(parser: template.base.Parser, token: template.base.Token) -> PartialNode:
    """`{% addform form=milestone_form summary="Add a milestone" button="Add milestone"
    action=add_url %}…fields…{% endaddform %}`: a folded "add" form under a record (open
    while it shows errors). Options: `keep_query=True` posts back with the page's query
    string, `phi="status"` shows the PHI confirmation box when the view flagged that form
    (`phi_form`), `primary=True` makes the button a primary one."""
    return _partial_tag(parser, token, "partials/add_form.html", "fields")


@register.tag
def removeform(parser: template.base.Parser, token: template.base.Token) -> PartialNode:
    """`{% removeform action=delete_url button="Remove" %}“{{ note.label }}”{% endremoveform %}`:
    a small button that posts to `action` (with the page's query string, so the page comes back
    as it was); the body names what it removes, for screen readers."""
    return _partial_tag(parser, token, "partials/remove_form.html", "what")


@dataclass(frozen=True)
class Column:
    """A table's column heading, its class (`num` for numbers), and for a sortable column its
    link (`url`, and `aria_sort` when the table is sorted by it)."""

    label: str
    css: str = ""
    link: Mapping[str, str] | None = None


@register.filter
def table_columns(
    spec: str, sort_links: Mapping[str, Mapping[str, str]] | None = None
) -> list[Column]:
    """`"Rank:num|Priority|Votes:num:votes"` → its columns: headings between `|`, each with its
    class after a `:` and, for a sortable one, the key of its link in `sort_links` after
    another."""
    columns = []
    for heading in str(spec).split("|"):
        label, _, rest = heading.partition(":")
        css, _, sort = rest.partition(":")
        link = (sort_links or {}).get(sort.strip()) if sort.strip() else None
        columns.append(Column(label.strip(), css.strip(), link))
    return columns


@register.tag
def table(parser: template.base.Parser, token: template.base.Token) -> PartialNode:
    """`{% table columns="Rank:num|Priority|Horizon" labelledby="active-heading" %}{% for … %}
    <tr>…</tr>{% endfor %}{% endtable %}`: a table with its headings and the body's rows.
    `columns` lists the headings between `|`, each with its class after a `:` (`num`
    right-aligns a column of numbers). Options: `labelledby` (the id of the heading naming the
    table) or `label` puts it in a region of its own that scrolls sideways on a small screen;
    `caption` names it for screen readers; `class` and `wrap_class` add classes to the table
    and to its region; `id`; `actions` (a label, for screen readers) adds a last column of row
    actions, none when empty: `actions=can_edit|yesno:"Actions,"`; `sort_links` (each sort
    key's link) makes the columns that name a key sortable headings."""
    return _partial_tag(
        parser,
        token,
        "partials/table.html",
        "rows",
        ("label", "labelledby", "caption", "class", "wrap_class", "id", "actions", "sort_links"),
    )


@register.inclusion_tag("partials/field_row.html")
def field_row(*fields: BoundField, top: bool = False, seen: Any = None) -> dict[str, Any]:
    """`{% field_row form.start_date form.target_date %}`: form fields side by side, each as
    partials/field.html (three fields make a three-column row). `top=True` aligns them at the
    top, for a tall input beside a short one; `seen` (the PHI guard's highlights) shows each
    field as partials/phi_field.html."""
    return {"fields": fields, "top": top, "seen": seen}


class PageActionsNode(template.Node):
    """Renders its body inside the page header's actions box, or nothing when the body is
    blank (every action in it was conditional and none applied)."""

    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        body = self.nodelist.render(context)
        if not body.strip():
            return ""
        return format_html('<div class="page-header__actions">{}</div>', body)


@register.tag
def page_actions(parser: template.base.Parser, token: template.base.Token) -> PageActionsNode:
    """`{% page_actions %}…buttons…{% endpage_actions %}`: the buttons beside a page's heading
    (page.html wraps its `header_actions` block in it)."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("page_actions takes no arguments")
    nodelist = parser.parse(("endpage_actions",))
    parser.delete_first_token()
    return PageActionsNode(nodelist)
