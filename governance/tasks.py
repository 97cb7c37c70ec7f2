"""Celery tasks of this app: thin, taking ids, enqueued after commit."""

from celery import shared_task

from governance.services.actions import action_reminders_send
from governance.services.minutes import review_minutes_render
from informatics.services import site_today


@shared_task(name="governance.action_reminders")
def action_reminders_task() -> int:
    """E-mail the owner of each overdue action item; once per item per day, however often it
    runs."""
    return action_reminders_send(today=site_today())


@shared_task(name="governance.review_minutes_render")
def review_minutes_render_task(review_id: int) -> bool:
    """Render and store a held review's minutes PDF (safe to run again)."""
    return review_minutes_render(review_id=review_id)
