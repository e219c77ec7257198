"""Just enough PNG reading for the QR tests (one-bit grey or palette images, as segno writes
them), so that a real decoder (zxing-cpp) can read what the server drew."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import zxingcpp

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    pixels: list[list[RGB]]

    def grey(self) -> bytes:
        return bytes(sum(p) // 3 for row in self.pixels for p in row)

    def colors(self) -> set[RGB]:
        return {p for row in self.pixels for p in row}


def _chunks(data: bytes) -> dict[bytes, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    found: dict[bytes, bytes] = {}
    pos = 8
    while pos < len(data):
        (size,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        found[kind] = found.get(kind, b"") + data[pos + 8 : pos + 8 + size]
        pos += 12 + size
    return found


def _unfilter(raw: bytes, stride: int, height: int) -> list[bytes]:
    rows: list[bytes] = []
    prior = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            if kind == 1:
                line[x] = (line[x] + (line[x - 1] if x else 0)) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + prior[x]) & 0xFF
            else:
                assert kind == 0, f"filter {kind} not read here"
        rows.append(bytes(line))
        prior = bytes(line)
    return rows


def read_png(data: bytes) -> Image:
    chunks = _chunks(data)
    width, height, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert depth == 1, depth
    assert color in {0, 3}, color
    palette = chunks.get(b"PLTE", b"\x00\x00\x00\xff\xff\xff")
    entries = [tuple(palette[i : i + 3]) for i in range(0, len(palette), 3)]
    rows = _unfilter(zlib.decompress(chunks[b"IDAT"]), (width + 7) // 8, height)
    pixels = [[entries[(row[x // 8] >> (7 - x % 8)) & 1] for x in range(width)] for row in rows]
    return Image(width, height, pixels)  # type: ignore[arg-type]


def decode(image: Image) -> list[str]:
    """The texts of the QR codes a real decoder finds in the image."""
    grey = image.grey()  # held here: the view does not keep its buffer alive
    view = zxingcpp.ImageView(grey, image.width, image.height, zxingcpp.ImageFormat.Lum)
    return [found.text for found in zxingcpp.read_barcodes(view)]
