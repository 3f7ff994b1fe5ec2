"""Public (no login) URLs of operations on a center's host: the residents' forms, the status page
and the survey pages. The home page links to ``public_repair``, ``public_feedback``,
``public_surveys`` and ``public_track``: keep these names."""

from django.urls import path

from operations.views import public_booking, public_forms, public_surveys

urlpatterns: list = [
    path("repair/", public_forms.repair_request, name="public_repair"),
    path("repair/done/", public_forms.repair_done, name="public_repair_done"),
    path("feedback/", public_forms.feedback, name="public_feedback"),
    path("feedback/done/", public_forms.feedback_done, name="public_feedback_done"),
    path("track/", public_forms.track, name="public_track"),
    path("booking/", public_booking.booking_list, name="public_booking_list"),
    path("booking/<int:pk>/", public_booking.booking_new, name="public_booking_new"),
    path("booking/done/", public_booking.booking_done, name="public_booking_done"),
    path("booking/manage/", public_booking.booking_manage, name="public_booking_manage"),
    path("queue/screen/", public_booking.queue_screen, name="public_queue_screen"),
    path("queue/screen/state/", public_booking.queue_screen_state_json, name="public_queue_state"),
    path("surveys/", public_surveys.public_survey_list, name="public_surveys"),
    path("surveys/<int:pk>/", public_surveys.public_survey_answer, name="public_survey_public_answer"),
    path("surveys/<int:pk>/thanks/", public_surveys.public_survey_thanks, name="public_survey_public_thanks"),
    path("survey/<str:token>/", public_surveys.survey_answer, name="public_survey_answer"),
    path("survey/<str:token>/thanks/", public_surveys.survey_thanks, name="public_survey_thanks"),
]
