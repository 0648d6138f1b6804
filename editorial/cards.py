"""Generated social cards: 1200 × 630 PNGs drawn with Pillow, for pages shared without an image
of their own (a story without a lead image, the home page, issues, timelines).

A card is drawn once, when what it shows is saved (a story published, `migrate`, `load_demo`,
`make_renditions`), and stored under MEDIA_ROOT as `social/<hash of what it draws>.png`: a
changed headline or brand is a new file, and an unchanged one is never drawn twice. Readers'
requests only print its address.

Fonts: the first of `CARD_FONTS` found on the machine draws each character, falling back
character by character (DejaVu or Liberation for Latin text with accents, WenQuanYi or Noto CJK
for Chinese); the last resort is the font Pillow itself ships (`ImageFont.load_default`, ASCII
only), so a machine without any font still gets a card. A character no font has is replaced by
its closest ASCII form (é → e, “ → ") or left out, never drawn as an empty box.
"""

import hashlib
import io
import unicodedata
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
# Bump when the drawing changes, so every card is drawn again under a new name.
DESIGN = "1"
MARGIN = 80
PAPER = (251, 249, 244)  # the site's --bg, --fg, --accent and --rule
INK = (29, 27, 24)
ACCENT = (138, 28, 28)
RULE = (217, 210, 195)
MUTED = (90, 85, 77)

# Bold faces first: a headline. Paths on Debian/Ubuntu, Fedora and macOS; a missing one is
# skipped. CJK faces after the Latin ones: their Latin letters are the less readable.
CARD_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
)


_brand_source = None  # a function giving (name, tagline), set by the site's wiring


def use_brand(function):
    """Take the brand from `function()`: the site's wiring passes the site settings an admin
    edits (sitesettings, a layer above this engine)."""
    global _brand_source
    _brand_source = function


def brand():
    """(name, tagline) the cards draw: the site settings once the site's wiring has said how to
    read them, else the environment's SITE_NAME and SITE_TAGLINE."""
    if _brand_source is not None:
        return _brand_source()
    return settings.SITE_NAME, settings.SITE_TAGLINE


# --- Fonts -----------------------------------------------------------------------------------


@cache
def _fonts(size):
    found = [ImageFont.truetype(path, size) for path in CARD_FONTS if Path(path).is_file()]
    return [*found, ImageFont.load_default(size=size)]


def _signature(font, char):
    mask = font.getmask(char)
    return mask.size, bytes(mask)


@cache
def _notdef(font):
    return _signature(font, "\U0010fffd")


@cache
def _font_for(char, size):
    """The first font of the list that has a glyph for `char`, or None."""
    if char.isspace():
        return _fonts(size)[0]
    for font in _fonts(size):
        if _signature(font, char) != _notdef(font):
            return font
    return None


_ASCII = {"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-", "…": "...", "·": "-"}


def drawable(text, size):
    """`text` with every character some font can draw: others as their closest ASCII form, or
    left out (then brackets left empty by it go too)."""
    out = []
    for char in text:
        if _font_for(char, size) is not None:
            out.append(char)
            continue
        plain = _ASCII.get(char) or unicodedata.normalize("NFKD", char)
        out.append("".join(c for c in plain if c.isascii() and _font_for(c, size)))
    cleaned = "".join(out)
    for empty in ("()", "（）", "[]", '""'):
        cleaned = cleaned.replace(empty, "")
    return " ".join(cleaned.split())


# --- Layout ----------------------------------------------------------------------------------


def _tokens(text):
    """Words, and each CJK character on its own (Chinese has no spaces to break at)."""
    tokens, word = [], ""
    for char in text:
        if char.isspace():
            if word:
                tokens.append(word)
            word = ""
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            if word:
                tokens.append(word)
            tokens.append(char)
            word = ""
        else:
            word += char
    if word:
        tokens.append(word)
    return tokens


def _join(left, right):
    wide = unicodedata.east_asian_width
    if not left or wide(left[-1]) in ("W", "F") or wide(right[0]) in ("W", "F"):
        return left + right
    return f"{left} {right}"


def wrap(text, size, width, max_lines):
    """Lines of `text` at most `width` pixels wide; the last ends with … when cut short."""
    lines = [""]
    for token in _tokens(text):
        candidate = _join(lines[-1], token)
        if _width(candidate, size) <= width or not lines[-1]:
            lines[-1] = candidate
        else:
            lines.append(token)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and _width(last + "…", size) > width:
            last = last[:-1].rstrip()
        lines[-1] = last + ("…" if _font_for("…", size) else "...")
    return lines


def _runs(text, size):
    """(font, text) runs: consecutive characters one font draws, drawn in one call."""
    runs = []
    for char in text:
        font = _font_for(char, size)
        if runs and runs[-1][0] is font:
            runs[-1][1] += char
        else:
            runs.append([font, char])
    return runs


def _width(text, size):
    return sum(font.getlength(run) for font, run in _runs(text, size))


def _draw_line(draw, xy, text, size, fill):
    x, y = xy
    for font, run in _runs(text, size):
        draw.text((x, y), run, font=font, fill=fill)
        x += font.getlength(run)


def _fit(text, width, sizes, max_lines):
    """The largest size of `sizes` at which `text` fits `max_lines` lines (else the smallest,
    cut short with …), and those lines."""
    for size in sizes:
        lines = wrap(drawable(text, size), size, width, max_lines + 1)
        if len(lines) <= max_lines:
            return size, lines
    size = sizes[-1]
    return size, wrap(drawable(text, size), size, width, max_lines)


# --- Drawing ---------------------------------------------------------------------------------


def draw_card(title, *, kicker="", foot=None, brand_now=None):
    """The PNG bytes of a card: the brand at the top, `kicker` (e.g. "Issue #12") above
    `title` in large type, `foot` (by default the tagline) at the foot."""
    name, tagline = brand_now or brand()
    foot_text = tagline if foot is None else foot
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 14), fill=ACCENT)
    inner = WIDTH - 2 * MARGIN
    _draw_line(draw, (MARGIN, 58), drawable(name, 40), 40, ACCENT)
    # A small bar chart of the brand's colours: the site's coverage charts, as an emblem.
    for index, bar in enumerate((22, 38, 30, 52, 44)):
        left = WIDTH - MARGIN - 5 * 18 + index * 18
        draw.rectangle((left, 98 - bar, left + 11, 98), fill=ACCENT if index == 3 else RULE)
    top = 150
    if kicker:
        _draw_line(draw, (MARGIN, top), drawable(kicker, 34), 34, MUTED)
        top += 60
    size, lines = _fit(title, inner, (68, 60, 52, 46), 4 if not kicker else 3)
    line_height = round(size * 1.22)
    for line in lines:
        _draw_line(draw, (MARGIN, top), line, size, INK)
        top += line_height
    draw.line((MARGIN, HEIGHT - 110, WIDTH - MARGIN, HEIGHT - 110), fill=RULE, width=2)
    if foot_text:
        _draw_line(
            draw, (MARGIN, HEIGHT - 88), wrap(drawable(foot_text, 30), 30, inner, 1)[0], 30, MUTED
        )
    out = io.BytesIO()
    # zlib's default level: a tenth of the time `optimize` takes, for 5% more bytes.
    image.save(out, format="PNG")
    return out.getvalue()


def card_name(title, *, kicker="", foot=None, brand_now=None):
    """Where the card of `title` (with today's brand) is stored: a hash of all it draws."""
    name, tagline = brand_now or brand()
    key = "\x1f".join((DESIGN, name, tagline if foot is None else foot, kicker, title))
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"social/{digest}.png"


def ensure_card(title, *, kicker="", foot=None, storage=None, brand_now=None):
    """The stored name of the card of `title`, drawn now if it is not on disk yet."""
    storage = storage or default_storage
    name = card_name(title, kicker=kicker, foot=foot, brand_now=brand_now)
    if not storage.exists(name):
        content = ContentFile(draw_card(title, kicker=kicker, foot=foot, brand_now=brand_now))
        stored = storage.save(name, content)
        if stored != name:  # another process drew it meanwhile
            storage.delete(stored)
    return name


def brand_card_name():
    """The card of pages that are not a story: the brand's name above its tagline. Costs no
    file access (its address is a hash); `ensure_brand_card` draws it."""
    _name, tagline = brand()
    return card_name(tagline, foot="")


def ensure_brand_card(storage=None, brand_now=None):
    """Draw the brand's card if missing: today's brand, or the one given (a save of the site
    settings draws its new brand before any page reads it)."""
    brand_now = brand_now or brand()
    return ensure_card(brand_now[1], foot="", storage=storage, brand_now=brand_now)


def og_image(request, found, alt):
    """What the head's og:image and twitter:image tags print of `found`, a (path, width,
    height, type) such as Story.social_image() gives: the address made absolute."""
    path, width, height, content_type = found
    return {
        "url": request.build_absolute_uri(path),
        "width": width,
        "height": height,
        "type": content_type,
        "alt": alt,
    }
