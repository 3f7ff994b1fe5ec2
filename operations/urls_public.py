"""Public (no login) URLs of operations on a center's host, e.g. survey answers by token."""

from django.urls import path

from operations.views import public_surveys

urlpatterns: list = [
    path("survey/<str:token>/", public_surveys.survey_answer, name="public_survey_answer"),
    path("survey/<str:token>/thanks/", public_surveys.survey_thanks, name="public_survey_thanks"),
]
