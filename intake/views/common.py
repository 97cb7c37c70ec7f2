"""What the intake pages share: the request a user may read (404 otherwise), the facilities a
form offers first, and a form's problems in one line."""

from django.forms import Form

from informatics.models import Facility, User
from informatics.web import AuthedRequest
from intake import selectors
from intake.models import IntakeRequest


def readable(request: AuthedRequest, pk: int) -> IntakeRequest:
    """The request, shaped for its page: 404 when there is none, 403 when the user may not
    read it (a champion, someone else's private request)."""
    return selectors.request_detail(user=request.user, pk=pk)


def first_facility(user: User) -> list[Facility]:
    """Where the user works (the first of their facilities by name): the default facility of
    their requests and +1s."""
    return list(user.facilities.order_by("name")[:1])


def form_problems(form: Form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
