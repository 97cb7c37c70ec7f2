"""Celery tasks of this app: thin, taking ids, enqueued after commit."""
