"""StreamField blocks shared by the pages of a center's site (bakerydemo style)."""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.StructBlock):
    heading_text = blocks.CharBlock(label=_("heading"), form_classname="title", max_length=120)
    size = blocks.ChoiceBlock(
        label=_("size"),
        choices=[("h2", "H2"), ("h3", "H3")],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("heading")
        template = "cms/blocks/heading_block.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("image caption"), required=False, max_length=200)
    alt_text = blocks.CharBlock(
        label=_("alternative text"),
        max_length=200,
        help_text=_("Describe the image for people who cannot see it."),
    )

    class Meta:
        icon = "image"
        label = _("image")
        template = "cms/blocks/image_block.html"


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(label=_("link text"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("document link")
        template = "cms/blocks/document_link_block.html"


class BaseStreamBlock(blocks.StreamBlock):
    heading_block = HeadingBlock()
    paragraph_block = blocks.RichTextBlock(
        label=_("paragraph"),
        icon="pilcrow",
        features=["bold", "italic", "link", "ol", "ul"],
        template="cms/blocks/paragraph_block.html",
    )
    image_block = ImageBlock()
    document_block = DocumentLinkBlock()
