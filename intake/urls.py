"""Intake pages under /requests/."""

from informatics.routes import pages
from intake import views

app_name = "intake"

urlpatterns = [
    *pages(views, "requests/", "request", "list", "create", "mine", "similar", export="export.csv"),
    *pages(views, "requests/triage/", "triage", "board", "bulk", queue=""),
    *pages(views, "requests/triage/board/<int:pk>/", "triage-board", save=""),
    *pages(views, "requests/views/", "request-view", save=""),
    *pages(views, "requests/views/<int:pk>/", "request-view", "delete"),
    *pages(views, "requests/rubric/", "rubric", edit=""),
    # One request's page and the forms posted from it: the submitter's, the discussion's, triage's.
    *pages(views, "requests/<int:pk>/", "request", "detail", "edit", "withdraw", "hold-clear"),
    *pages(views, "requests/<int:pk>/", "request", "vote", "comment", "ask", "answer"),
    *pages(views, "requests/<int:pk>/", "request", "triage", "transition", "merge"),
]
