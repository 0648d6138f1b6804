"""Pictures of the demo, drawn with Pillow so that it shows pictures without shipping anyone
else's: the stories' lead images (abstract charts in the site's colours, which illustrate and
carry no data) and the writers' photos (initials on a colour)."""

import io

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1600, 900
PAPER = (251, 249, 244)
INK = (29, 27, 24)
ACCENT = (138, 28, 28)
RULE = (217, 210, 195)
SOFT = (196, 160, 150)


def _canvas():
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    for y in range(150, HEIGHT - 100, 125):
        draw.line((120, y, WIDTH - 120, y), fill=RULE, width=3)
    draw.line((120, HEIGHT - 100, WIDTH - 120, HEIGHT - 100), fill=INK, width=6)
    return image, draw


def rising_bars_withheld():
    """Bars rising year on year, the last two left as empty outlines: growth, no totals."""
    image, draw = _canvas()
    heights = (180, 260, 340, 450, 560, 600, 640)
    step = (WIDTH - 240) // len(heights)
    for index, height in enumerate(heights):
        left = 120 + index * step + 30
        box = (left, HEIGHT - 100 - height, left + step - 60, HEIGHT - 103)
        if index < len(heights) - 2:
            draw.rectangle(box, fill=SOFT if index < len(heights) - 3 else ACCENT)
        else:
            draw.rectangle(box, outline=ACCENT, width=8)
    return _png(image)


def ranking_bars():
    """Six horizontal bars, longest first; the shortest, at the bottom, in the accent colour."""
    image, draw = _canvas()
    lengths = (1220, 1040, 900, 720, 560, 300)
    for index, length in enumerate(lengths):
        top = 150 + index * 110 + 20
        last = index == len(lengths) - 1
        draw.rectangle((160, top, 160 + length, top + 70), fill=ACCENT if last else SOFT)
    return _png(image)


def _png(image):
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


DRAWINGS = {"rising_bars_withheld": rising_bars_withheld, "ranking_bars": ranking_bars}


def initials_photo(name, colour, size=240):
    """A square PNG: the initials of `name` in white on `colour`."""
    image = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(image)
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    font = ImageFont.load_default(size=size // 3)
    draw.text((size / 2, size / 2), initials, fill=(255, 255, 255), font=font, anchor="mm")
    return _png(image)
