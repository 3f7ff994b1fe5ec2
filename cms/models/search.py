"""Plain text of a page kept beside it, so Chinese queries can match substrings of it.

PostgreSQL's full-text search does not segment Chinese; the site search matches the words of a
query inside this text instead (see ``cms.search``).
"""

from django.db import models
from django.utils.html import strip_tags


def stream_text(stream) -> str:
    """The readable text of a StreamField value (paragraphs, headings, captions)."""
    parts: list[str] = []
    for block in stream or []:
        value = block.value
        if hasattr(value, "source"):  # RichText
            parts.append(strip_tags(value.source))
        elif isinstance(value, str):
            parts.append(value)
        elif hasattr(value, "get"):  # StructValue
            for key in ("heading_text", "caption", "title", "alt_text"):
                text = value.get(key)
                if isinstance(text, str):
                    parts.append(text)
    return "\n".join(p for p in parts if p)


class SearchTextMixin(models.Model):
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        return super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        return "\n".join(
            p for p in (self.title, self.search_description, stream_text(getattr(self, "body", None))) if p
        )
