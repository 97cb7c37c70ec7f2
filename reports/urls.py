from django.urls import path

from informatics.routes import pages
from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("home/<slug:role>/", views.landing, name="landing"),
    path("favicon.ico", views.favicon),
    *pages(views, "reports/", "report", "list", "draft", "subscription"),
    *pages(views, "reports/<int:pk>/", "report", "detail", "narrative", "review", "issue"),
    *pages(views, "reports/<int:pk>/", "report", download="download/<str:kind>/"),
]
