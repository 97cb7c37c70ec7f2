"""Pages of this app: thin views that parse, authorise, call one service or selector, render."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from informatics.models import User
from reports.selectors import intake_summary, landing_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """`/`: send the user to the landing page of the first role they hold (DESIGN.md order)."""
    user: User = request.user  # type: ignore[assignment]  # login_required: never anonymous
    if not user.roles:
        return render(request, "reports/no_role.html")
    return redirect("reports:landing", role=user.roles[0])


@login_required
def landing(request: HttpRequest, role: str) -> HttpResponse:
    """`/home/<role>/`: one role's landing page, for users who hold that role (404 otherwise)."""
    user: User = request.user  # type: ignore[assignment]  # login_required: never anonymous
    if not user.has_role(role):
        raise Http404("You do not hold this role.")
    page = landing_for(user=user, role=role)
    context = {"page": page, "current_role": page.role, **intake_summary(user=user, role=role)}
    return render(request, f"reports/landing_{page.role}.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (Django admin): answer, not 404."""
    return redirect(static("img/favicon.svg"), permanent=True)
