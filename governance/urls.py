from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("governance/maturity/", views.maturity_overview, name="maturity-overview"),
    path("governance/maturity/assess/", views.maturity_assess, name="maturity-assess"),
    path("governance/maturity/target/", views.maturity_target, name="maturity-target"),
    path("governance/maturity/weights/", views.maturity_weights, name="maturity-weights"),
]
