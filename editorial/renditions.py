"""Responsive renditions of stored images: made with Pillow once, when an image is stored,
and printed from row data alone.

A `SafeImageField` given `renditions_field="<name>"` keeps, in that JSON column (a
`RenditionsField` declared after the image field), what a page needs to print the image
without touching the disk or the database:

    {"name": "stories/2026/11/3f2a….jpg", "width": 2400, "height": 1350,
     "widths": [320, 640, 960, 1200, 1600], "fallback": "jpg", "social_bytes": 81234}

Each width of the ladder up to the original's own (never upscaled) exists twice, next to the
original under deterministic names: `3f2a….w640.webp` and `3f2a….w640.jpg` (`.png` when the
image has transparency, so logos keep it). The renditions are made when the file is stored
(an admin upload, an image in a draft revision of a published story: `revisions.serialize_form`
stores it then) and again, when missing, whenever a row is given an image name another way
(publishing a revision writes the name it holds; `make_renditions` for images stored before
renditions existed). A column whose `name` is not the field's (a row changed around the ORM)
makes the picture tag print the original alone rather than guess.

Files are never deleted here: a replaced image and its renditions stay on disk, since a
revision may still name them and be restored.
"""

import io
import logging

from django.core.files.base import ContentFile
from django.db import models
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

# Widths made of every image (when it is at least that wide); 1200 is what social cards use.
LADDER = (320, 640, 960, 1200, 1600)
# Width of the rendition `og:image` names (the largest at most this wide).
SOCIAL_WIDTH = 1200
WEBP_OPTIONS = {"quality": 80, "method": 4}
FALLBACK_OPTIONS = {
    "jpg": {"format": "JPEG", "quality": 82, "optimize": True, "progressive": True},
    "png": {"format": "PNG", "optimize": True},
}
TYPES = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}


class RenditionsField(models.JSONField):
    """What `SafeImageField(renditions_field=...)` keeps of an image's renditions; filled in
    by that field, never by a form. Declare it after the image field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, value in (("default", dict), ("blank", True), ("editable", False)):
            if kwargs.get(key) == value:
                del kwargs[key]
        return name, path, args, kwargs


def rendition_name(name, width, extension):
    """`stories/2026/11/3f2a.jpg`, 640, "webp" → `stories/2026/11/3f2a.w640.webp`."""
    stem = name.rsplit(".", 1)[0]
    return f"{stem}.w{width}.{extension}"


def ladder(width):
    """The widths made of an image `width` pixels wide: the ladder's up to its own, and its
    own when it is narrower than the ladder's top (so the sharpest copy is never upscaled)."""
    widths = [step for step in LADDER if step <= width]
    if width < LADDER[-1] and width not in widths:
        widths.append(width)
    return widths


def _has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def make_renditions(storage, name):
    """Make the missing renditions of the stored image `name` and return what its renditions
    column holds. Reads the original once; raises OSError when it cannot be read."""
    with storage.open(name, "rb") as original:
        data = original.read()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
    image = ImageOps.exif_transpose(image)  # stored images are upright already; be sure
    alpha = _has_alpha(image)
    fallback = "png" if alpha else "jpg"
    image = image.convert("RGBA" if alpha else "RGB")
    width, height = image.size
    widths = ladder(width)
    for step in widths:
        wanted = [
            ext for ext in ("webp", fallback) if not storage.exists(rendition_name(name, step, ext))
        ]
        if not wanted:
            continue
        size = (step, max(1, round(height * step / width)))
        resized = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
        for ext in wanted:
            out = io.BytesIO()
            if ext == "webp":
                resized.save(out, format="WEBP", **WEBP_OPTIONS)
            else:
                resized.save(out, **FALLBACK_OPTIONS[ext])
            target = rendition_name(name, step, ext)
            stored = storage.save(target, ContentFile(out.getvalue()))
            if stored != target:  # a race with another process: keep one copy
                storage.delete(stored)
    info = {
        "name": name,
        "width": width,
        "height": height,
        "widths": widths,
        "fallback": fallback,
    }
    # Feeds state the size of the image they enclose; measured now, not per request.
    info["social_bytes"] = storage.size(rendition_name(name, _social_width(widths), fallback))
    return info


def _social_width(widths):
    fitting = [step for step in widths if step <= SOCIAL_WIDTH]
    return fitting[-1] if fitting else widths[0]


def renditions_for(storage, name):
    """make_renditions, or an empty record (the page prints the original alone) when the
    original cannot be read: a revision naming a file lost from disk must still publish."""
    if not name:
        return {}
    try:
        return make_renditions(storage, name)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        logger.warning("No renditions for %s: %s", name, error)
        return {}


class Picture:
    """What a page prints of one stored image, from its renditions column alone."""

    def __init__(self, file, info):
        self.file = file
        self.info = info if info and info.get("name") == file.name else None

    @property
    def ready(self):
        return self.info is not None

    def _url(self, width, ext):
        return self.file.storage.url(rendition_name(self.file.name, width, ext))

    def srcset(self, ext):
        return ", ".join(f"{self._url(step, ext)} {step}w" for step in self.info["widths"])

    @property
    def webp_srcset(self):
        return self.srcset("webp")

    @property
    def fallback_srcset(self):
        return self.srcset(self.info["fallback"])

    @property
    def fallback_type(self):
        return TYPES[self.info["fallback"]]

    def _size_at(self, width):
        return width, max(1, round(self.info["height"] * width / self.info["width"]))

    @property
    def largest(self):
        return self.info["widths"][-1]

    @property
    def src(self):
        """The fallback at the ladder's middle: what a browser without srcset shows."""
        widths = self.info["widths"]
        return self._url(widths[min(len(widths) - 1, 2)], self.info["fallback"])

    @property
    def width(self):
        return self._size_at(self.largest)[0]

    @property
    def height(self):
        return self._size_at(self.largest)[1]

    def social(self):
        """(path, width, height, type) of the fallback rendition closest to 1200 wide, for
        `og:image`; None without renditions."""
        if self.info is None:
            return None
        step = _social_width(self.info["widths"])
        width, height = self._size_at(step)
        ext = self.info["fallback"]
        return self._url(step, ext), width, height, TYPES[ext]


def picture(file):
    """The Picture of a FieldFile of a SafeImageField with a renditions column (none for an
    empty field). Reads the column already on the row: no query, no file."""
    if not file:
        return None
    field_name = getattr(file.field, "renditions_field", None)
    info = getattr(file.instance, field_name, None) if field_name else None
    return Picture(file, info)
