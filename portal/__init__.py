# The Celery app is loaded with Django, so that tasks bind to it (portal.celery_app).
from portal.celery_app import app as celery_app

__all__ = ("celery_app",)
