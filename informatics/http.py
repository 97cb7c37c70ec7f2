"""HTTP plumbing shared by every app's pages."""

from django.http import HttpRequest

from informatics.models import User


class AuthedRequest(HttpRequest):
    """A request behind `login_required`: its user is a signed-in User."""

    user: User
