"""微信图文: a published activity report as copy-ready HTML for the WeChat official-account editor.

The WeChat editor drops stylesheets, classes and scripts, so the HTML carries inline styles only,
and images are absolute URLs of ~1080 px wide renditions (the editor fetches and re-hosts them).
Every text is escaped; rich text is rebuilt tag by tag from a short allow-list, so nothing an
editor typed can become markup in the export.
"""

from html.parser import HTMLParser

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from wagtail.rich_text import expand_db_html

IMAGE_SPEC = "width-1080"
GALLERY_PHOTOS = 9

TEXT = "margin:0 0 16px;font-size:16px;line-height:1.75;color:#333333;"
STYLES = {
    "p": TEXT,
    "h2": "margin:24px 0 12px;font-size:19px;font-weight:bold;line-height:1.4;color:#0b6e4f;",
    "h3": "margin:20px 0 10px;font-size:17px;font-weight:bold;line-height:1.4;color:#1f2933;",
    "h4": "margin:16px 0 8px;font-size:16px;font-weight:bold;color:#1f2933;",
    "ul": "margin:0 0 16px;padding-left:24px;font-size:16px;line-height:1.75;color:#333333;",
    "ol": "margin:0 0 16px;padding-left:24px;font-size:16px;line-height:1.75;color:#333333;",
    "li": "margin:0 0 4px;",
    "a": "color:#576b95;text-decoration:underline;",
    "b": "font-weight:bold;",
    "strong": "font-weight:bold;",
    "i": "font-style:italic;",
    "em": "font-style:italic;",
    "img": "display:block;width:100%;height:auto;margin:0 auto 16px;",
}
VOID = {"br", "img"}
SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def absolute_url(root_url: str, url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return f"{root_url.split('//', 1)[0]}{url}"
    return f"{root_url}{url}" if url.startswith("/") else ""


class _InlineStyler(HTMLParser):
    """Rebuild rich-text HTML with inline styles, keeping allowed tags and escaping everything else."""

    def __init__(self, root_url: str):
        super().__init__(convert_charrefs=True)
        self.root_url = root_url
        self.out: list[str] = []

    def _link(self, href: str) -> str:
        href = (href or "").strip()
        if href.lower().startswith(SAFE_SCHEMES):
            return href
        return absolute_url(self.root_url, href)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in STYLES and tag != "br":
            self.out.append(escape(self.get_starttag_text() or f"<{tag}>"))
            return
        parts = []
        if tag == "a":
            href = self._link(attrs.get("href") or "")
            if href:
                parts.append(f' href="{escape(href)}"')
        if tag == "img":
            src = absolute_url(self.root_url, (attrs.get("src") or "").strip())
            if not src:
                return
            parts.append(f' src="{escape(src)}" alt="{escape(attrs.get("alt") or "")}"')
        if tag in STYLES:
            parts.append(f' style="{STYLES[tag]}"')
        self.out.append(f"<{tag}{''.join(parts)}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if tag in STYLES:
            self.out.append(f"</{tag}>")
        else:
            self.out.append(escape(f"</{tag}>"))

    def handle_data(self, data):
        self.out.append(escape(data))


def inline_rich_text(source: str, *, root_url: str) -> SafeString:
    """Rich text (Wagtail's stored format) as HTML with inline styles and absolute links."""
    styler = _InlineStyler(root_url)
    styler.feed(expand_db_html(source))
    styler.close()
    return mark_safe("".join(styler.out))  # noqa: S308 - every piece is escaped or from the allow-list


def _image(image, *, root_url: str, alt: str, caption: str = "") -> dict:
    rendition = image.get_rendition(IMAGE_SPEC)
    return {
        "src": absolute_url(root_url, rendition.url),
        "width": rendition.width,
        "height": rendition.height,
        "alt": alt or image.default_alt_text,
        "caption": caption,
    }


def _blocks(page, *, root_url: str) -> tuple[list[dict], set[int]]:
    blocks, used_images = [], set()
    for block in page.body:
        kind, value = block.block_type, block.value
        if kind == "paragraph_block":
            blocks.append({"kind": "html", "html": inline_rich_text(value.source, root_url=root_url)})
        elif kind == "heading_block":
            tag = "h3" if value.get("size") == "h3" else "h2"
            blocks.append(
                {"kind": "heading", "tag": tag, "style": STYLES[tag], "text": value["heading_text"]}
            )
        elif kind == "image_block" and value.get("image") is not None:
            used_images.add(value["image"].pk)
            image = _image(
                value["image"], root_url=root_url, alt=value.get("alt_text"), caption=value.get("caption")
            )
            blocks.append({"kind": "image", **image})
        elif kind == "document_block" and value.get("document") is not None:
            document = value["document"]
            blocks.append(
                {
                    "kind": "link",
                    "url": absolute_url(root_url, document.url),
                    "text": value.get("title") or document.title,
                }
            )
    return blocks, used_images


def wechat_article(page, *, root_url: str) -> dict:
    """The parts of the export: ``html`` (copy-ready) and what it was built from."""
    blocks, used_images = _blocks(page, root_url=root_url)
    gallery = [
        _image(photo, root_url=root_url, alt=photo.default_alt_text)
        for photo in page.gallery_images()
        if photo.pk not in used_images
    ][:GALLERY_PHOTOS]
    site = page.get_site()
    context = {
        "page": page,
        "site_name": site.site_name if site else "",
        "url": absolute_url(root_url, page.url or ""),
        "figures": page.figures,
        "blocks": blocks,
        "gallery": gallery,
        "styles": STYLES,
    }
    html = render_to_string("cms/wechat_article.html", context).strip()
    return {"html": html, "blocks": blocks, "gallery": gallery}
