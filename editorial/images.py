"""Uploaded images are untrusted: bytes in, a clean JPEG, PNG or WebP under a random name out.

One set of parts for every image a model keeps (a story's picture, company and platform logos,
later authors' photos and the site's logo):

- `SafeImageField`, the model field. Every file it stores goes through `clean_image` first,
  whatever path the file took (admin form, a revision of a published story, a management
  command), and gets a random name with the extension of its real format.
- `SafeImageFormField`, its form field: a file that is not one of the accepted formats by
  content, or has too many bytes or pixels, is a form error, and nothing is stored.
- `UploadSizeLimitHandler`, first in `settings.FILE_UPLOAD_HANDLERS`: while a request is read,
  the bytes of a file past the size cap are dropped instead of being written to memory or disk,
  and the form is told the file was too large.

`clean_image` decodes the upload with Pillow restricted to the accepted formats, refuses
decompression bombs (Pillow's warning counts as an error), applies the EXIF orientation and
encodes the pixels again, so nothing but pixels survives: no EXIF (GPS), no XMP, no text chunks,
no bytes appended after the image (HTML, scripts). An ICC profile is used to convert the colours
to sRGB, then dropped. An animated PNG or WebP keeps its first frame: these fields hold stills.
"""

import io
import uuid
import warnings

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import models
from django.db.models.fields.files import FieldFile, ImageFieldFile
from PIL import Image, ImageCms, ImageOps

# Pillow format name → the extension a stored file gets.
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
ACCEPT = "image/jpeg,image/png,image/webp"
# How each format is written again. JPEG and WebP are lossy: high enough not to show.
SAVE_OPTIONS = {
    "JPEG": {"quality": 88, "optimize": True},
    "PNG": {},
    "WEBP": {"quality": 90, "method": 4},
}

MESSAGES = {
    "not_accepted": (
        "This file is not a JPEG, PNG or WebP image, so it was not saved. Images must be "
        "JPEG, PNG or WebP; what counts is the content of the file, not its name."
    ),
    "too_large": (
        "This file is {size}; images may be at most {limit}. Make it smaller (export it at a "
        "lower resolution or quality) and upload it again."
    ),
    "too_many_pixels": (
        "This image is {width:,} × {height:,} pixels ({megapixels:,.0f} megapixels); images may "
        "have at most {limit:,.0f} megapixels. Scale it down and upload it again."
    ),
    "bomb": (
        "This image has too many pixels to be processed safely; images may have at most "
        "{limit:,.0f} megapixels. Scale it down and upload it again."
    ),
    "damaged": (
        "This image could not be read: the file seems damaged or incomplete. Save it again as "
        "JPEG, PNG or WebP and upload it."
    ),
    "empty": "The file is empty.",
}


def _megabytes(size):
    return f"{size / (1024 * 1024):.1f} MB"


def _error(code, **params):
    return ValidationError(MESSAGES[code].format(**params), code=code)


class CleanImage(ContentFile):
    """An image `clean_image` produced: re-encoded bytes, a random name, the real format."""

    def __init__(self, content, *, image_format, width, height):
        super().__init__(content, name=f"{uuid.uuid4().hex}{EXTENSIONS[image_format]}")
        self.image_format = image_format
        self.width = width
        self.height = height


class RefusedUpload(UploadedFile):
    """What `UploadSizeLimitHandler` hands the form instead of a file over the size cap: the
    size it would have had, and none of its bytes."""

    def __init__(self, name, content_type, size):
        super().__init__(io.BytesIO(), name=name, content_type=content_type, size=size)


def clean_image(file):
    """`file` (a Django File or file object) as a CleanImage, or a ValidationError saying why
    not. Reads at most the size cap's worth of bytes and decodes only the accepted formats."""
    if not isinstance(file, File):
        file = File(file)
    max_bytes = settings.DIGEST_UPLOAD_MAX_BYTES
    size = file.size
    if isinstance(file, RefusedUpload) or size > max_bytes:
        raise _error("too_large", size=_megabytes(size), limit=_megabytes(max_bytes))
    if not size:
        raise _error("empty")
    file.seek(0)
    data = file.read()
    try:
        # Pillow only warns between its limit and twice it; a local filter (not a global
        # change) makes that warning an error here. `warnings` filters are process-wide while
        # set, which is fine for gunicorn's one-thread workers; our own pixel check below
        # runs before any decoding in any case.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(EXTENSIONS)) as probe:
                image_format = probe.format
                _check_pixels(probe.size)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[image_format]) as image:
                _check_pixels(image.size)
                image.load()  # the first frame of an animated image
        image = _pixels_only(image, image_format)
        out = io.BytesIO()
        image.save(out, format=image_format, **_save_options(image, image_format))
    except ValidationError:
        raise
    except Image.UnidentifiedImageError:
        raise _error("not_accepted") from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _error("bomb", limit=settings.DIGEST_UPLOAD_MAX_PIXELS / 1e6) from None
    except Exception:
        # A decoder fed hostile bytes may fail in any way (OSError, SyntaxError, ValueError,
        # struct.error, ...): each means the same to the editor.
        raise _error("damaged") from None
    return CleanImage(
        out.getvalue(), image_format=image_format, width=image.width, height=image.height
    )


def _check_pixels(size):
    width, height = size
    limit = settings.DIGEST_UPLOAD_MAX_PIXELS
    if width * height > limit:
        raise _error(
            "too_many_pixels",
            width=width,
            height=height,
            megapixels=width * height / 1e6,
            limit=limit / 1e6,
        )


def _pixels_only(image, image_format):
    """`image` (decoded) reduced to its pixels: upright, in sRGB, with no metadata at all.

    Changed in place where Pillow can (a 40-megapixel image takes 160 MB per copy); the
    returned image is the one to save.
    """
    mode = image.mode
    transparency = image.info.get("transparency")
    icc_profile = image.info.get("icc_profile")
    ImageOps.exif_transpose(image, in_place=True)
    if icc_profile and image.mode in ("RGB", "RGBA", "CMYK"):
        image = _to_srgb(image, icc_profile)
    if image_format == "JPEG" and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    # Only what the encoder needs to draw the pixels is passed on; encoders take EXIF, XMP,
    # ICC and text chunks from `info`, so it starts empty.
    image.info = {}
    if transparency is not None and image_format == "PNG" and image.mode == mode:
        image.info["transparency"] = transparency
    return image


def _to_srgb(image, icc_profile):
    """Colours converted from the embedded profile to sRGB, which browsers assume when a file
    carries no profile. A profile that cannot be used leaves the pixels as they are."""
    output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
    in_place = image.mode == output_mode
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        converted = ImageCms.profileToProfile(
            image,
            source,
            ImageCms.createProfile("sRGB"),
            outputMode=output_mode,
            inPlace=in_place,
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return image if in_place else converted


def _save_options(image, image_format):
    options = dict(SAVE_OPTIONS[image_format])
    if "transparency" in image.info:
        options["transparency"] = image.info["transparency"]
    return options


# ---------------------------------------------------------------------------------------------
# Form field, model field


class SafeImageFormField(forms.ImageField):
    """An image upload cleaned by `clean_image`: its cleaned value is the CleanImage, so an
    invalid file is a form error and a valid one is not decoded twice."""

    def to_python(self, data):
        if data in self.empty_values:
            return None
        if not getattr(data, "name", None) or not hasattr(data, "size"):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        # Unlike Django's FileField, no limit on the length of the name sent: it is not kept.
        return clean_image(data)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput):
            attrs["accept"] = ACCEPT
        return attrs


class SafeImageFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        """Store `content` cleaned, under a random name; the name given is ignored (an
        uploaded file's name is the sender's choice and is never kept). Raises
        ValidationError for a file that is not an acceptable image."""
        if not isinstance(content, CleanImage):
            content = clean_image(content)
        super().save(content.name, content, save=False)
        # Stored: now its renditions (Django set the name on the row around the descriptor).
        self.field.record_renditions(self.instance)
        if save:
            self.instance.save()


class SafeImageField(models.ImageField):
    """An ImageField that stores only images `clean_image` produced, under random names.

    Use it for every image a model keeps; `upload_to` still picks the folder. Give it
    `renditions_field="<name>"`, the name of a `renditions.RenditionsField` declared after it,
    and every image it is given gets its responsive renditions made and recorded there (see
    editorial.renditions); pages print them with `{% picture %}` (editorial.templatetags).
    """

    attr_class = SafeImageFieldFile

    def __init__(self, *args, renditions_field=None, **kwargs):
        self.renditions_field = renditions_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.renditions_field:
            kwargs["renditions_field"] = self.renditions_field
        return name, path, args, kwargs

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_renditions_field()]

    def _check_renditions_field(self):
        from django.core import checks

        from .renditions import RenditionsField

        if not self.renditions_field:
            return []
        fields = self.model._meta.concrete_fields
        names = [field.name for field in fields]
        if self.renditions_field not in names or not isinstance(
            self.model._meta.get_field(self.renditions_field), RenditionsField
        ):
            return [
                checks.Error(
                    f"renditions_field={self.renditions_field!r} must name a RenditionsField "
                    f"of {self.model.__name__}.",
                    obj=self,
                    id="editorial.E001",
                )
            ]
        if names.index(self.renditions_field) < names.index(self.name):
            # The image is stored while the row's values are collected in field order: a
            # column read before that would be saved without the new renditions.
            return [
                checks.Error(
                    f"Declare {self.renditions_field!r} after {self.name!r} in "
                    f"{self.model.__name__}.",
                    obj=self,
                    id="editorial.E002",
                )
            ]
        return []

    def pre_save(self, model_instance, add):
        file = super().pre_save(model_instance, add)
        # A row given an image name another way (create(image=...), a restore) gets its
        # renditions here; when they are recorded already this compares two names, nothing more.
        self.record_renditions(model_instance)
        return file

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        """Besides Django's width and height fields: whenever the row is given another image
        (`force`: an upload stored, a revision's name written back, the image cleared), record
        its renditions, making the missing ones. Loading a row does nothing (no file read)."""
        super().update_dimension_fields(instance, force, *args, **kwargs)
        if force and self.attname in instance.__dict__:
            self.record_renditions(instance)

    def record_renditions(self, instance):
        """Make the renditions of the row's image, if missing, and record them on the row
        (in memory: the caller saves). Nothing to do when they are recorded already."""
        if not self.renditions_field:
            return
        from .renditions import renditions_for

        assigned = instance.__dict__.get(self.attname)
        if isinstance(assigned, File) and not isinstance(assigned, FieldFile):
            return  # not stored yet: recorded once it is (SafeImageFieldFile.save)
        file = getattr(instance, self.attname)
        name = file.name if file else ""
        if name and (getattr(instance, self.renditions_field) or {}).get("name") == name:
            return
        setattr(instance, self.renditions_field, renditions_for(file.storage, name) if name else {})

    def formfield(self, **kwargs):
        if not self.help_text:
            # Said on the form, not in migrations: the limits are settings.
            kwargs.setdefault("help_text", upload_help_text())
        return super().formfield(**{"form_class": SafeImageFormField, **kwargs})


def upload_help_text():
    return (
        f"JPEG, PNG or WebP, at most {_megabytes(settings.DIGEST_UPLOAD_MAX_BYTES)} and "
        f"{settings.DIGEST_UPLOAD_MAX_PIXELS / 1e6:,.0f} megapixels. The image is saved again "
        "without its hidden details (camera, GPS position) and under a new file name."
    )


# ---------------------------------------------------------------------------------------------
# Reading the request


class UploadSizeLimitHandler(FileUploadHandler):
    """Drops the bytes of an uploaded file past `DIGEST_UPLOAD_MAX_BYTES` while the request is
    read, and hands the form a `RefusedUpload` in its place (a form error, with the rest of
    the form as typed, instead of a 50 MB file in memory or on disk).

    Must come first in FILE_UPLOAD_HANDLERS: a handler that returns no chunk stops the ones
    after it from receiving it. The rest of the body is still read, so the other fields of the
    form arrive; a front proxy's body limit (nginx `client_max_body_size`) is what stops an
    absurdly large request before it reaches the app.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.max_bytes = settings.DIGEST_UPLOAD_MAX_BYTES
        self.counting = True
        self.refused = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # A body no larger than the cap cannot hold a file over it: nothing to count.
        self.counting = content_length > self.max_bytes

    def new_file(self, field_name, file_name, content_type, content_length, *args, **kwargs):
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        # A part that states its length (browsers rarely do) is refused before its first byte.
        self.refused = (
            self.counting and content_length is not None and content_length > self.max_bytes
        )

    def receive_data_chunk(self, raw_data, start):
        if self.counting and start + len(raw_data) > self.max_bytes:
            self.refused = True
        return None if self.refused else raw_data

    def file_complete(self, file_size):
        if self.refused:
            return RefusedUpload(self.file_name, self.content_type, file_size)
        return None
