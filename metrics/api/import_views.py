"""(filled in by the metrics issue)."""

urlpatterns: list = []
