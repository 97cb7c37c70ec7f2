"""Pages of the program kernel: priorities, people, facilities, site settings.

(The project's root URLconf is informatics/urls.py, so the kernel's own pages live here.)
"""

from django.urls import path

app_name = "informatics"

urlpatterns: list = []
