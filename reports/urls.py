from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("home/<slug:role>/", views.landing, name="landing"),
    path("favicon.ico", views.favicon),
    path("reports/", views.report_list, name="report-list"),
    path("reports/draft/", views.report_draft, name="report-draft"),
    path("reports/subscription/", views.report_subscription, name="report-subscription"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/narrative/", views.report_narrative, name="report-narrative"),
    path("reports/<int:pk>/review/", views.report_review, name="report-review"),
    path("reports/<int:pk>/issue/", views.report_issue, name="report-issue"),
    path("reports/<int:pk>/download/<str:kind>/", views.report_download, name="report-download"),
]
