"""The project's URLs and one page that fails, to show the 500 page (tests set ROOT_URLCONF to
this module)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from informatics.urls import handler400, handler403, handler500
from informatics.urls import urlpatterns as portal


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("A page that fails, for the 500 page's tests.")


urlpatterns = [*portal, path("fail/", fail)]

__all__ = ["handler400", "handler403", "handler500", "urlpatterns"]
