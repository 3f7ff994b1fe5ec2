"""Observability: health and readiness endpoints, structured logs with the center's code (#16).

Imported at the end of ``base.py``; ``production.py`` switches the logs to JSON lines by default.

- ``/healthz`` and ``/readyz`` (``portal.health``) answer on any host, before tenant routing.
  ``READINESS_REQUIRED``: the checks whose failure makes ``/readyz`` answer 503 (``database`` by default;
  the cache and the broker are reported, and a failure of theirs reads "degraded" with 200, because the site
  keeps serving without Redis and taking every web process out of the load balancer at once would not).
- ``LOG_FORMAT``: ``json`` (one object a line, production's default) or ``text`` (dev, tests, the demo).
  Every line carries the center's code (``public`` for head office) and the request id (``portal.observability``).
"""

import os

LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
READINESS_REQUIRED = [
    name.strip() for name in os.environ.get("READINESS_REQUIRED", "database").split(",") if name.strip()
]
#: Seconds the broker check waits to connect and for Redis's answer.
READINESS_TIMEOUT = float(os.environ.get("READINESS_TIMEOUT", "1"))


def logging_config(log_format: str) -> dict:
    """``LOGGING``: every handler adds the center and request to a record and formats it as ``log_format``."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "portal.observability.ContextFilter"}},
        "formatters": {
            "json": {"()": "portal.observability.JsonFormatter"},
            "text": {"()": "portal.observability.TextFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["context"],
                "formatter": "json" if log_format == "json" else "text",
            }
        },
        "root": {"handlers": ["console"], "level": LOG_LEVEL},
        "loggers": {"bianmin": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    }


LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = logging_config(LOG_FORMAT)
