"""The informatics portal: project wiring and the program kernel."""

from informatics.celery import app as celery_app

__all__ = ("celery_app",)
