"""A QR code drawn with segno (pure Python, PNG and SVG without an imaging library)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html import escape
from typing import Literal

import segno

Level = Literal["L", "M", "Q", "H"]
_HEX = re.compile(r"^#?(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
LOGO_SHARE = 4  # the logo's side is a quarter of the code's, as Dub draws it


@dataclass(frozen=True, slots=True)
class Drawing:
    url: str
    size: int
    level: Level
    fg_color: str
    bg_color: str
    margin: int
    logo: str | None


def is_color(value: str) -> bool:
    return bool(_HEX.match(value))


def _color(value: str) -> str:
    return value if value.startswith("#") else f"#{value}"


def _code(drawing: Drawing) -> segno.QRCode:
    # boost_error off: the level asked for is the level drawn, as Dub's encoder does
    return segno.make_qr(drawing.url, error=drawing.level, boost_error=False)


def png(drawing: Drawing) -> bytes:
    """Whole pixels per module: the largest scale whose image fits in `size` (at least 1)."""
    code = _code(drawing)
    side = code.symbol_size(scale=1, border=drawing.margin)[0]
    out = io.BytesIO()
    code.save(
        out, kind="png", scale=max(1, drawing.size // side), border=drawing.margin,
        dark=_color(drawing.fg_color), light=_color(drawing.bg_color),
    )  # fmt: skip
    return out.getvalue()


def svg(drawing: Drawing) -> bytes:
    """Exactly `size` pixels a side, drawn in module units; a logo is referenced, never fetched
    by the server."""
    code = _code(drawing)
    side = int(code.symbol_size(scale=1, border=drawing.margin)[0])
    out = io.BytesIO()
    code.save(
        out, kind="svg", scale=1, border=drawing.margin, dark=_color(drawing.fg_color),
        light=_color(drawing.bg_color), xmldecl=False, svgns=True, omitsize=True,
    )  # fmt: skip
    text = out.getvalue().decode()
    text = text.replace("<svg ", f'<svg width="{drawing.size}" height="{drawing.size}" ', 1)
    if drawing.logo:
        text = text.replace("</svg>", _logo(drawing, side) + "</svg>")
    return text.encode()


def _logo(drawing: Drawing, side: int) -> str:
    """The logo centred on a square of the background colour that hides the modules under it
    (level H keeps such a code readable; lower levels may not be)."""
    width = side / LOGO_SHARE
    at = (side - width) / 2
    box = f'x="{at:g}" y="{at:g}" width="{width:g}" height="{width:g}"'
    href = escape(drawing.logo or "", quote=True)
    return f'<rect {box} fill="{_color(drawing.bg_color)}"/><image href="{href}" {box}/>'
