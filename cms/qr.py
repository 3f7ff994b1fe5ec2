"""QR codes as inline SVG (no Pillow)."""

import qrcode
from qrcode.image.svg import SvgPathImage


def qr_svg(data: str) -> str:
    """The QR code of ``data`` as an ``<svg>`` element to inline in HTML."""
    image = qrcode.make(data, image_factory=SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # Drop the XML declaration: the element is inlined in an HTML page.
    return svg[svg.index("<svg") :]
