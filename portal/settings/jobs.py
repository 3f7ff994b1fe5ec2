"""Background work: Celery with Redis, tenant-aware (#16)."""
