"""The portfolio's pages, under /portfolio/ and /initiatives/."""

from django.urls import path

from informatics.routes import item_pages, pages
from initiatives import views

app_name = "initiatives"

urlpatterns = [
    path("portfolio/", views.portfolio, name="portfolio"),
    *pages(views, "initiatives/", "initiative", "list", "create", export="export.csv"),
    *pages(views, "initiatives/<int:pk>/", "initiative", "detail", "edit", "stage"),
    *pages(views, "initiatives/<int:pk>/", "initiative", status_update="status/"),
    # An initiative's milestones, benefits, financial entries and linked requests.
    *item_pages(views, "initiatives/<int:pk>/milestones/", "initiative-milestone", "done"),
    *item_pages(views, "initiatives/<int:pk>/benefits/", "initiative-benefit", edit=""),
    *item_pages(views, "initiatives/<int:pk>/financials/", "initiative-financial", "delete"),
    *pages(views, "initiatives/<int:pk>/requests/", "initiative-link", "candidates", requests=""),
]
