"""Password rules: Django's validators, with the length message Django's Chinese catalog translates.

Django 5.2's ``MinimumLengthValidator`` words its message with ``%d``, while the zh-Hans catalog it
ships still translates the ``%(min_length)d`` wording: the message came out in English. This one says
the same with the translated wording, so a too-short password is refused in the site's language.
"""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
