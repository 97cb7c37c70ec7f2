"""Page plumbing every app shares: the request type of signed-in pages, the date widget, a
service's errors put back on a form (with what the PHI guard saw), the PHI confirmation box,
the context of a create or edit page, a posted form's or a button's service call, the create
page and the optimistic-lock edit page, the forms of a record's page and one posted from it,
the form fields every app builds alike, and the read-only admin page. The kernel publishes
these here so that no app imports another's views, forms or admin."""

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString

from informatics.exceptions import StaleEdit
from informatics.export import csv_response
from informatics.models import User
from informatics.phi import PhiFlagged, phi_highlight


class AuthedRequest(HttpRequest):
    """A request behind `login_required`: its user is a signed-in User."""

    user: User


class DateInput(forms.DateInput):
    input_type = "date"


def _is_forward_key(model: type[Model], name: object) -> bool:
    """Whether `name` is a foreign key (or one-to-one field) of `model` itself."""
    try:
        field = model._meta.get_field(str(name))
    except FieldDoesNotExist:
        return False
    return bool(field.concrete and (field.many_to_one or field.one_to_one))


def add_service_errors(form: forms.Form, error: ValidationError, **aliases: str) -> None:
    """Put a service's ValidationError on the form: each message on the field it names (or on
    the form when it names no field of this form). `aliases` maps a service's field name to
    the form's, e.g. `sla_hours="sla_fast_track"`."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, texts in error.message_dict.items():
        field = aliases.get(name, name)
        form.add_error(field if field in form.fields else None, texts)


PHI_CONFIRM_LABEL = "This is not patient information"
PHI_CONFIRM_HELP = (
    "Tick this only if the highlighted text is not about a patient (for example a made-up "
    "example or a department's phone number). Otherwise edit it out; your confirmation is kept "
    "on the record."
)


def phi_confirmed_field() -> forms.BooleanField:
    """The box a user ticks to save text the PHI guard flagged, confirming it is not PHI."""
    return forms.BooleanField(required=False, label=PHI_CONFIRM_LABEL, help_text=PHI_CONFIRM_HELP)


def service_errors(
    form: forms.Form, error: ValidationError, **aliases: str
) -> dict[str, SafeString]:
    """Put a service's error on the form. When it was the PHI guard, return each flagged
    field's text with what was seen highlighted, for the page to show beside the field."""
    seen: dict[str, SafeString] = {}
    if isinstance(error, PhiFlagged):
        for name, findings in error.findings.items():
            field = aliases.get(name, name)
            text = form.cleaned_data.get(field)  # read before add_error drops the field
            if isinstance(text, str):
                seen[field] = phi_highlight(text, findings)
    add_service_errors(form, error, **aliases)
    return seen


def form_context(form: forms.Form, phi_seen: dict[str, SafeString], **extra: Any) -> dict[str, Any]:
    """A create or edit page's context: the form, and what the PHI guard saw. The confirmation box
    shows once the guard has flagged something (and stays while it is ticked)."""
    return {
        "form": form,
        "phi_seen": phi_seen,
        "phi_flagged": bool(phi_seen) or bool(form["phi_confirmed"].value()),
        **extra,
    }


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin page that shows and searches records, never changes them: every app's records
    change through its services. The records its columns name (the foreign keys among
    `list_display`) are fetched with the rows."""

    def get_list_select_related(self, request: HttpRequest) -> Any:
        if self.list_select_related is not False:
            return self.list_select_related
        return tuple(name for name in self.list_display if _is_forward_key(self.model, name))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@dataclasses.dataclass
class Submission[T]:
    """What became of a posted form: `done` when the service saved it (its return value in
    `result`), else the form carries the errors and `phi_seen` what the PHI guard saw."""

    done: bool = False
    result: T | None = None
    phi_seen: dict[str, SafeString] = dataclasses.field(default_factory=dict)

    @property
    def saved(self) -> T:
        """What the service returned (when `done`)."""
        return cast(T, self.result)

    def respond(
        self,
        request: HttpRequest,
        success: str | Callable[[T], str] | None,
        done: Callable[[T], HttpResponse],
        again: Callable[[dict[str, SafeString]], HttpResponse],
    ) -> HttpResponse:
        """Saved: show `success` (given what was saved when it is a function; None when what was
        saved shows by itself) and go to `done`; else the page `again`, given what the PHI guard
        saw."""
        if not self.done:
            return again(self.phi_seen)
        if success is not None:
            messages.success(request, success(self.saved) if callable(success) else success)
        return done(self.saved)


def submit[T](form: forms.Form, save: Callable[[], T], **aliases: str) -> Submission[T]:
    """Call `save` (a service) when the form is bound and valid; a ValidationError it raises
    goes back on the form. StaleEdit is left to the caller."""
    if not form.is_valid():
        return Submission()
    try:
        result = save()
    except ValidationError as error:
        return Submission(phi_seen=service_errors(form, error, **aliases))
    return Submission(done=True, result=result)


def run_action[T](
    request: HttpRequest, act: Callable[..., T], success: str | Callable[[T], str], /, **args: Any
) -> T | None:
    """A page button's service call, `act` given the signed-in user as `actor` and `args`: its
    refusal becomes an error message, its success the `success` message (given the result when
    it is a function)."""
    try:
        result = act(actor=request.user, **args)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result


def edit_page(
    request: HttpRequest,
    *,
    template: str,
    form_class: Any,
    name: str,
    record: Any,
    form_kw: str = "",
    update: Callable[..., object],
    reload: Callable[[], Any],
    conflict: Callable[[StaleEdit], object],
    success: str | Callable[[Any], str],
    done: Callable[[], HttpResponse],
) -> HttpResponse:
    """An edit page under an optimistic lock. GET shows the record's current values; a valid
    POST calls `update`. When someone saved the record since the form was loaded,
    nothing of the edit is kept: the page shows the current values (`reload`) with `conflict`,
    status 409. Service errors go back on the form. The record is `name` in the page's context
    and `form_kw` (default: `name`) to the form and to `update`, the record's update service,
    which is given the actor and the form's values (the version among them); `success` is the
    message, or a function of what `update` returned that makes it."""
    form_kw = form_kw or name

    def fresh(current: Any) -> forms.Form:
        built: forms.Form = form_class(
            initial=form_class.initial_for(current), **{form_kw: current}
        )
        return built

    if request.method == "GET":
        return render(request, template, form_context(fresh(record), {}, **{name: record}))
    form: Any = form_class(request.POST, **{form_kw: record})
    try:
        outcome = submit(
            form, lambda: update(actor=request.user, **{form_kw: record}, **form.values())
        )
    except StaleEdit as stale:
        current = reload()
        context = form_context(fresh(current), {}, **{name: current}, conflict=conflict(stale))
        return render(request, template, context, status=409)
    if outcome.done:
        messages.success(request, success(outcome.saved) if callable(success) else success)
        return done()
    return render(request, template, form_context(form, outcome.phi_seen, **{name: record}))


POLL_SECONDS = 2  # how often a job's page asks for its status block while the job runs


def job_page(
    request: HttpRequest, *, page: str, status: str, running: bool, context: dict[str, Any]
) -> HttpResponse:
    """A background job's page: the whole `page`, or, when htmx polls for it (django-htmx sets
    request.htmx), the `status` block alone, which asks again every `poll_seconds` while the
    job is `running`."""
    template = status if getattr(request, "htmx", False) else page
    return render(request, template, {**context, "running": running, "poll_seconds": POLL_SECONDS})


def create_page[T](
    request: HttpRequest,
    *,
    template: str,
    form: forms.Form,
    save: Callable[[], T],
    success: Callable[[T], str],
    done: Callable[[T], HttpResponse],
) -> HttpResponse:
    """A create page: a valid POST calls `save` (a service), then shows `success` and goes to
    `done`; otherwise the form is shown again with the service's errors and what the PHI guard
    saw. A GET form is unbound, so it only shows."""
    return submit(form, save).respond(
        request, success, done, lambda seen: render(request, template, form_context(form, seen))
    )


# --- A record's page and the forms posted from it -------------------------------------------


@dataclasses.dataclass
class PostedForm:
    """The `name` form posted from a record's page. When it is not saved, the page shows it in
    place of its blank `<name>_form`, with the user's input, its errors and what the PHI guard
    saw."""

    name: str
    form: forms.Form
    phi_seen: dict[str, SafeString] = dataclasses.field(default_factory=dict)

    @property
    def phi_flagged(self) -> bool:
        """The confirmation box shows once the guard has flagged something (and stays while it
        is ticked), on a form the guard reads."""
        if "phi_confirmed" not in self.form.fields:
            return False
        return bool(self.phi_seen) or bool(self.form["phi_confirmed"].value())

    def save[T](
        self,
        request: HttpRequest,
        service: Callable[[], T],
        *,
        success: str | Callable[[T], str] | None,
        done: Callable[[], HttpResponse],
        page: Callable[["PostedForm"], HttpResponse],
        stale: str = "",
        **aliases: str,
    ) -> HttpResponse:
        """When `service` saves the form, show `success` and go to `done`; else show the `page`
        again with this form as posted. When the form carries a version and someone saved the
        record since, nothing is kept: `stale` says so and the user goes to `done` (the
        record's page), to see the current record."""
        try:
            outcome = submit(self.form, service, **aliases)
        except StaleEdit:
            if not stale:
                raise
            messages.error(request, stale)
            return done()
        self.phi_seen = outcome.phi_seen
        return outcome.respond(request, success, lambda saved: done(), lambda seen: page(self))


def page_forms(blank: dict[str, forms.Form | None], posted: PostedForm | None) -> dict[str, Any]:
    """The forms of a record's page, for its context: the `blank` ones by their context names,
    the posted one in its place; `phi_form` names the posted form the PHI guard flagged and
    `phi_seen_by_form` holds what it saw."""
    if posted is None:
        return {**blank, "phi_form": "", "phi_seen_by_form": {}}
    phi_form = posted.name if posted.phi_flagged else ""
    return {
        **blank,
        f"{posted.name}_form": posted.form,
        "phi_form": phi_form,
        "phi_seen_by_form": {phi_form: posted.phi_seen} if phi_form and posted.phi_seen else {},
    }


class VersionedEditForm(forms.Form):
    """Put before the create form that an edit form extends: the edit form carries the version
    of the record the editor loaded, so that a stale save is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @classmethod
    def initial_for(cls, record: Any) -> dict[str, Any]:
        initial: dict[str, Any] = super().initial_for(record)  # type: ignore[misc]
        return {**initial, "version": record.version}


class ServiceForm(forms.Form):
    """A form whose cleaned values are the keyword arguments of its service."""

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def dated_csv(stem: str, header: list[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """A list page's CSV download, named after `stem` and today's date, e.g.
    `requests-2026-03-01.csv`."""
    stamp = timezone.localdate().isoformat()
    return csv_response(filename=f"{stem}-{stamp}.csv", header=header, rows=rows)


def first_or_404[M: Model](records: QuerySet[M], missing: str) -> M:
    """The first of `records`, or a 404 saying what is `missing`."""
    found = records.first()
    if found is None:
        raise Http404(missing)
    return found


def found_or_404[M: Model](find: Callable[[], M], missing: str) -> M:
    """The record `find` (a selector of one record) returns, or a 404 saying what is `missing`
    when there is no such record."""
    try:
        return find()
    except ObjectDoesNotExist:
        raise Http404(missing) from None


def offer_choices(form: forms.Form, name: str, prompt: str, choices: Iterable[Any]) -> None:
    """Offer only `choices` in the form's `name` choice box, after a blank `prompt`."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.widget.choices = [("", prompt), *choices]


# --- Form fields every app's forms build the same way ---------------------------------------

CHOOSE_SEVERAL = "Hold Ctrl (or ⌘) to choose several."


def code_field(*, max_length: int, help_text: str, required: str) -> forms.SlugField:
    """A record's short unique key: letters, digits, hyphens and underscores."""
    return forms.SlugField(
        max_length=max_length,
        help_text=help_text,
        error_messages={
            "required": required,
            "invalid": "The code may hold only letters, digits, hyphens and underscores.",
        },
    )


def choice_field(choices: Any, *, required: str, **options: Any) -> forms.ChoiceField:
    """A required choice that starts on “Choose…”; `required` says what to choose."""
    return forms.ChoiceField(
        choices=[("", "Choose…"), *choices], error_messages={"required": required}, **options
    )


def optional_choice_field(choices: Any, **options: Any) -> forms.ChoiceField:
    """An optional choice that starts on a blank “—”."""
    return forms.ChoiceField(choices=[("", "—"), *choices], required=False, **options)


def several_field(
    queryset: Any, *, size: int = 6, help_text: str = CHOOSE_SEVERAL, **options: Any
) -> forms.ModelMultipleChoiceField:
    """An optional choice of several records, as a list box `size` rows high."""
    return forms.ModelMultipleChoiceField(
        queryset=queryset,
        required=False,
        help_text=help_text,
        widget=forms.SelectMultiple(attrs={"size": size}),
        **options,
    )


def values_of(record: Any, names: Iterable[str]) -> dict[str, Any]:
    """The `names` attributes of `record`, as a form's initial values."""
    return {name: getattr(record, name) for name in names}
