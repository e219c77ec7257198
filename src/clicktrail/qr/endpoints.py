"""`GET /qr`: public, as Dub's; PNG unless the client asks for SVG rather than PNG."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response
from segno import DataOverflowError

from clicktrail.api.openapi import PUBLIC, Responses
from clicktrail.errors import UnprocessableEntity
from clicktrail.links.rules import clean_url
from clicktrail.qr import render

router = APIRouter(tags=["QR Codes"], responses=PUBLIC)
MAX_SIZE = 4096  # pixels a side: a bound Dub does not set, so that one request stays cheap
MAX_MARGIN = 64
PNG, SVG = "image/png", "image/svg+xml"
_IMAGE: Responses = {200: {"content": {PNG: {}, SVG: {}}, "description": "The QR code image."}}


def wants_svg(accept: str) -> bool:
    """SVG when the client names it and does not name PNG (Dub's SDKs send `image/png`)."""
    return SVG in accept and PNG not in accept


def _drawing(
    url: str, size: int, level: render.Level, fg: str, bg: str, margin: int, logo: str | None
) -> render.Drawing:
    for name, value in (("fgColor", fg), ("bgColor", bg)):
        if not render.is_color(value):
            raise UnprocessableEntity(f"invalid_string: {name}: expected a hex colour (#rrggbb).")
    return render.Drawing(clean_url(url), size, level, fg, bg, margin, logo)


@router.get("/qr", response_class=Response, responses=_IMAGE)
async def get_qr_code(
    url: str,
    size: Annotated[int, Query(ge=1, le=MAX_SIZE)] = 600,
    level: render.Level = "L",
    fg_color: Annotated[str, Query(alias="fgColor")] = "#000000",
    bg_color: Annotated[str, Query(alias="bgColor")] = "#FFFFFF",
    hide_logo: Annotated[bool, Query(alias="hideLogo")] = False,
    margin: Annotated[int, Query(ge=0, le=MAX_MARGIN)] = 2,
    include_margin: Annotated[bool, Query(alias="includeMargin", deprecated=True)] = True,  # noqa: ARG001 - Dub's deprecated flag, accepted and ignored as Dub does
    logo: str | None = None,
    accept: Annotated[str, Header()] = PNG,
) -> Response:
    """A QR code of `url`. Scanning a link's `qrCode` records its click with trigger `qr`.
    `logo` is drawn in SVG answers only (as a reference the viewer loads); PNG has none."""
    drawing = _drawing(url, size, level, fg_color, bg_color, margin, None if hide_logo else logo)
    svg = wants_svg(accept)
    try:
        image = render.svg(drawing) if svg else render.png(drawing)
    except DataOverflowError as exc:
        raise UnprocessableEntity("too_big: url: too long to fit in a QR code.") from exc
    headers = {"access-control-allow-origin": "*", "cache-control": "public, max-age=3600"}
    return Response(image, media_type=SVG if svg else PNG, headers=headers)
