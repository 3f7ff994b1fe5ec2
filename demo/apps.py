from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models and no migrations: installed only so that ``seed_demo`` is found."""

    name = "demo"
