"""Cover art for the demo library's albums: drawn, deterministic, PNG.

Each album gets its own palette and motif (circles for one, stripes for the other), so
the covers are told apart at a glance in a browser grid.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw

COVER_SIZE_PX = 600


@dataclass(frozen=True, slots=True)
class CoverDesign:
    background: tuple[int, int, int]
    accent: tuple[int, int, int]
    motif: str  # "rings" or "stripes"


def draw_cover(design: CoverDesign, size_px: int = COVER_SIZE_PX) -> bytes:
    """The cover as PNG bytes (the same bytes for the same design)."""
    image = Image.new("RGB", (size_px, size_px), design.background)
    draw = ImageDraw.Draw(image)
    if design.motif == "rings":
        centre = size_px / 2
        for i in range(9, 0, -1):
            radius = size_px * 0.05 * i
            shade = tuple(
                b + (a - b) * i // 9 for a, b in zip(design.accent, design.background, strict=True)
            )
            draw.ellipse(
                (centre - radius, centre - radius * 0.8, centre + radius, centre + radius * 0.8),
                outline=shade, width=max(2, size_px // 120),
            )  # fmt: skip
    else:
        step = size_px // 12
        for i, x in enumerate(range(-size_px, size_px, step)):
            if i % 2:
                draw.polygon(
                    [(x, size_px), (x + step, size_px), (x + step + size_px, 0), (x + size_px, 0)],
                    fill=design.accent,
                )
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()
