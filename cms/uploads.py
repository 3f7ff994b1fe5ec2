"""Wagtail's image and document forms with our upload checks (#15), named by the settings
``WAGTAILIMAGES_IMAGE_FORM_BASE`` and ``WAGTAILDOCS_DOCUMENT_FORM_BASE``.

They serve every admin way in: add, multiple upload (its upload form is this one too), edit/replace
and the choosers' upload. The checks themselves are ``portal.uploads``: an image is decoded in full
(a corrupt or truncated file is a form error, not a 500) and re-encoded without metadata before
Wagtail sees it; a document is checked for size, type and content.
"""

from __future__ import annotations

import os

from django.core.exceptions import ValidationError

from wagtail.documents.fields import WagtailDocumentField
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

from portal.uploads import document_content_check, image_clean, size_check


class CheckedImageField(WagtailImageField):
    def to_python(self, data):
        if data in self.empty_values:
            return super().to_python(data)
        extension = os.path.splitext(getattr(data, "name", "") or "")[1].lower().lstrip(".")
        if extension not in self.allowed_image_extensions:
            raise ValidationError(
                self.error_messages["invalid_image_extension"], code="invalid_image_extension"
            )
        size_check(data, self.max_upload_size)
        image_clean(data, max_pixels=self.max_image_pixels)
        return super().to_python(data)  # Wagtail's checks, on the clean file


class CheckedDocumentField(WagtailDocumentField):
    def to_python(self, data):
        upload = super().to_python(data)  # size (WAGTAILDOCS_MAX_UPLOAD_SIZE), oversized uploads too
        if upload is not None:
            document_content_check(upload)  # the extension itself: Wagtail's model check
        return upload


def _replace_file_field(form, field_class) -> None:
    original = form.fields.get("file")
    if original is None:
        return
    form.fields["file"] = field_class(
        label=original.label, required=original.required, widget=original.widget
    )


class ImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _replace_file_field(self, CheckedImageField)


class DocumentForm(BaseDocumentForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _replace_file_field(self, CheckedDocumentField)
