from django.apps import AppConfig

from informatics.navigation import NavEntry


class ReportsConfig(AppConfig):
    name = "reports"
    navigation = (NavEntry("Home", "reports:home", order=0, also_current=("/home/",)),)
