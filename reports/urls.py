from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("home/<slug:role>/", views.landing, name="landing"),
    path("favicon.ico", views.favicon),
]
