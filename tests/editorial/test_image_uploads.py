"""Uploaded images are untrusted (editorial.images): Erin the editor uploads hostile and honest
files through the admin change forms; only clean JPEG, PNG and WebP under random names are kept.

Every file is made here with Pillow. MEDIA_ROOT is a fresh folder per test, so "nothing stored"
means an empty folder.
"""

import io
import re
import struct

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.urls import reverse
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from editorial import workflow
from editorial.images import RefusedUpload
from stories.models import Company, Platform, Status, Story
from tests.adminform import change_url, form_data
from tests.factories import make_company, make_platform, make_story

pytestmark = pytest.mark.django_db

TYPED = "Headline Erin typed before choosing the file"
STORED_NAME = re.compile(r"^stories/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|webp)$")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def picture(image_format="PNG", size=(40, 30), mode="RGB", color=(200, 30, 30), **save):
    buffer = io.BytesIO()
    Image.new(mode, size, color if mode != "1" else 0).save(buffer, format=image_format, **save)
    return buffer.getvalue()


def two_halves(size=(40, 20)):
    """Red on the left half, blue on the right."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    return image


def gps_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Erin's phone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 54.0, 27.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (116.0, 23.0, 30.0)
    return exif


def draft(editor):
    return make_story("Old headline", author=editor, companies=[make_company()])


def upload(client, user, obj, name, content, content_type="image/png", **changes):
    """`user` opens `obj`'s change form, types `changes`, picks the file and saves."""
    client.force_login(user)
    field = "image" if isinstance(obj, Story) else "logo"
    data = form_data(client.get(change_url(obj)), **changes)
    data[field] = SimpleUploadedFile(name, content, content_type=content_type)
    if field == "image":
        data["image_alt"] = "A picture"
    return client.post(change_url(obj), data)


def assert_refused(response, story, media, message):
    """A form error naming the problem, the typed text shown again, nothing saved or stored."""
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert message in " ".join(response.context["adminform"].form.errors["image"])
    assert TYPED in page
    story.refresh_from_db()
    assert (story.headline, story.image.name) == ("Old headline", "")
    assert stored_files(media) == []


# ---------------------------------------------------------------------------------------------
# Refused by content, whatever the name says


def _eps():
    buffer = io.BytesIO()
    Image.new("L", (20, 20), 128).save(buffer, format="EPS")
    return buffer.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)

NOT_ACCEPTED = {
    "tiff": lambda: picture("TIFF"),
    "bmp": lambda: picture("BMP"),
    "ico": lambda: picture("ICO", size=(32, 32)),
    "gif": lambda: picture("GIF"),
    "eps": _eps,
    "svg-with-script": lambda: SVG,
    "html": lambda: b"<!doctype html><script>alert(1)</script>",
}


@pytest.mark.parametrize("kind", NOT_ACCEPTED)
def test_a_file_that_is_not_jpeg_png_or_webp_is_refused_whatever_its_name(
    client, editor, media, kind
):
    story = draft(editor)
    response = upload(client, editor, story, "photo.png", NOT_ACCEPTED[kind](), headline=TYPED)
    assert_refused(response, story, media, "Images must be JPEG, PNG or WebP")


def test_a_damaged_png_is_refused_as_damaged(client, editor, media):
    story = draft(editor)
    truncated = picture("PNG", size=(300, 300), color=(1, 2, 3))[:-40]
    response = upload(client, editor, story, "photo.png", truncated, headline=TYPED)
    assert_refused(response, story, media, "could not be read")


def test_a_png_with_html_appended_is_stored_without_it(client, editor, media):
    story = draft(editor)
    polyglot = picture("PNG") + b"<html><body><script>alert(1)</script></body></html>"
    response = upload(client, editor, story, "photo.png", polyglot)
    assert response.status_code == 302
    story.refresh_from_db()
    stored = story.image.read()
    assert b"<script" not in stored and b"<html" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size) == ("PNG", (40, 30))


# ---------------------------------------------------------------------------------------------
# Size and pixel caps


def test_a_50_mb_upload_is_refused_as_the_request_is_read_and_the_form_comes_back(
    client, editor, media
):
    story = draft(editor)
    huge = picture("PNG") + bytes(50 * 1024 * 1024)
    response = upload(client, editor, story, "huge.png", huge, headline=TYPED)
    assert_refused(response, story, media, "This file is 50.0 MB; images may be at most 10.0 MB")
    # The upload handler dropped the bytes past the cap: the view got none of them.
    received = response.wsgi_request.FILES["image"]
    assert isinstance(received, RefusedUpload)
    assert received.size == len(huge)


class BytesSeenHandler(FileUploadHandler):
    """Placed after the size-limit handler: notes on the request how many bytes of the upload
    reached the handlers that keep files (memory, then a temporary file on disk)."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.request.upload_bytes_seen = 0

    def receive_data_chunk(self, raw_data, start):
        self.request.upload_bytes_seen += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


def test_the_bytes_past_the_cap_never_reach_memory_or_disk(client, editor, media, settings):
    settings.FILE_UPLOAD_HANDLERS = [
        "editorial.images.UploadSizeLimitHandler",
        f"{__name__}.BytesSeenHandler",
        *settings.FILE_UPLOAD_HANDLERS[1:],
    ]
    story = draft(editor)
    huge = picture("PNG") + bytes(30 * 1024 * 1024)
    response = upload(client, editor, story, "huge.png", huge, headline=TYPED)
    assert_refused(response, story, media, "images may be at most 10.0 MB")
    assert 0 < response.wsgi_request.upload_bytes_seen <= 10 * 1024 * 1024


def test_the_size_cap_is_a_setting(client, editor, media, settings):
    settings.DIGEST_UPLOAD_MAX_BYTES = 1000
    story = draft(editor)
    noisy = Image.effect_noise((64, 64), 80).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    assert len(buffer.getvalue()) > 1000
    response = upload(client, editor, story, "photo.png", buffer.getvalue(), headline=TYPED)
    assert_refused(response, story, media, "images may be at most 0.0 MB")
    small = upload(client, editor, story, "photo.png", picture("PNG", size=(4, 4)))
    assert small.status_code == 302


def decompression_bomb(size=(12_000, 11_000)):
    """Megapixels in a few kilobytes (132 by default): a one-bit PNG of a single colour."""
    buffer = io.BytesIO()
    Image.new("1", size, 0).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < 100_000
    return buffer.getvalue()


def test_an_image_over_the_pixel_cap_is_refused_before_it_is_decoded(client, editor, media):
    # 48 megapixels: over the 40 of the cap, under Pillow's own limit (it would load it).
    bomb = decompression_bomb((8_000, 6_000))
    story = draft(editor)
    response = upload(client, editor, story, "photo.png", bomb, headline=TYPED)
    assert_refused(
        response, story, media, "8,000 × 6,000 pixels (48 megapixels); images may have at most 40"
    )


def test_pillows_decompression_bomb_warning_counts_as_an_error(client, editor, media, settings):
    # A cap set above Pillow's own limit: Pillow only warns below twice its limit, and that
    # warning must still refuse the file.
    settings.DIGEST_UPLOAD_MAX_PIXELS = 500_000_000
    assert Image.MAX_IMAGE_PIXELS < 12_000 * 11_000
    story = draft(editor)
    response = upload(client, editor, story, "photo.png", decompression_bomb(), headline=TYPED)
    assert_refused(response, story, media, "too many pixels to be processed safely")


def test_a_132_megapixel_png_is_refused_with_the_default_caps(client, editor, media):
    story = draft(editor)
    response = upload(client, editor, story, "photo.png", decompression_bomb(), headline=TYPED)
    assert_refused(response, story, media, "images may have at most 40 megapixels")


# ---------------------------------------------------------------------------------------------
# What is kept: pixels, upright, under a random name


@pytest.mark.parametrize(
    ("image_format", "extension", "sent_as"),
    [("JPEG", ".jpg", "photo.gif"), ("PNG", ".png", "photo.jpg"), ("WEBP", ".webp", "photo.png")],
)
def test_jpeg_png_and_webp_are_stored_in_their_real_format_and_rendered(
    client, editor, media, image_format, extension, sent_as
):
    story = draft(editor)
    response = upload(client, editor, story, sent_as, picture(image_format), "image/gif")
    assert response.status_code == 302
    story.refresh_from_db()
    assert STORED_NAME.match(story.image.name)
    assert story.image.name.endswith(extension)
    with Image.open(story.image.path) as image:
        assert (image.format, image.size) == (image_format, (40, 30))
    page = client.get(reverse("story_preview", args=[story.pk])).content.decode()
    # Printed as its renditions (editorial.renditions), each named after the stored name.
    stem = story.image.name.rsplit(".", 1)[0]
    assert f'<source type="image/webp" srcset="/media/{stem}.w40.webp 40w"' in page


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_gps_and_other_metadata_are_not_kept(client, editor, media, image_format):
    extra = {"pnginfo": PngImagePlugin.PngInfo()} if image_format == "PNG" else {}
    if extra:
        extra["pnginfo"].add_text("Comment", "secret note")
    sent = picture(
        image_format, exif=gps_exif(), xmp=b"<x:xmpmeta>secret note</x:xmpmeta>", **extra
    )
    with Image.open(io.BytesIO(sent)) as image:  # what is sent carries it all
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"secret note" in sent
    story = draft(editor)
    assert upload(client, editor, story, "photo", sent).status_code == 302
    story.refresh_from_db()
    stored = story.image.read()
    with Image.open(io.BytesIO(stored)) as image:
        assert dict(image.getexif()) == {}
        assert not {"exif", "xmp", "icc_profile", "Comment"} & set(image.info)
    assert b"secret note" not in stored and b"Erin's phone" not in stored


def red_and_blue_swapped_profile():
    """An ICC profile whose red primary is sRGB's blue and the other way round, made from the
    sRGB profile by swapping its two tags: pure red in it is pure blue in sRGB."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack_from(">I", profile, 128)[0]
    entries = {}
    for index in range(count):
        signature, offset, size = struct.unpack_from(">4sII", profile, 132 + 12 * index)
        entries[signature] = (132 + 12 * index, offset, size)
    (red_at, *red), (blue_at, *blue) = entries[b"rXYZ"], entries[b"bXYZ"]
    struct.pack_into(">4sII", profile, red_at, b"rXYZ", *blue)
    struct.pack_into(">4sII", profile, blue_at, b"bXYZ", *red)
    return bytes(profile)


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_colours_are_converted_to_srgb_and_the_profile_dropped(client, editor, media, image_format):
    sent = picture(image_format, color=(255, 0, 0), icc_profile=red_and_blue_swapped_profile())
    story = draft(editor)
    assert upload(client, editor, story, "photo", sent).status_code == 302
    story.refresh_from_db()
    with Image.open(story.image.path) as image:
        assert "icc_profile" not in image.info
        red, green, blue = image.convert("RGB").getpixel((5, 5))
    assert blue > 200 > 50 > red


def test_a_grey_png_keeps_no_colour_profile(client, editor, media):
    sent = picture("PNG", mode="L", color=128, icc_profile=red_and_blue_swapped_profile())
    story = draft(editor)
    assert upload(client, editor, story, "photo.png", sent).status_code == 302
    story.refresh_from_db()
    with Image.open(story.image.path) as image:
        assert "icc_profile" not in image.info
        assert (image.mode, image.getpixel((5, 5))) == ("L", 128)


def test_the_exif_orientation_is_applied_to_the_pixels(client, editor, media):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # shown turned a quarter clockwise
    buffer = io.BytesIO()
    two_halves((40, 20)).save(buffer, format="JPEG", exif=exif, quality=95)
    story = draft(editor)
    assert upload(client, editor, story, "photo.jpg", buffer.getvalue()).status_code == 302
    story.refresh_from_db()
    with Image.open(story.image.path) as image:
        assert image.size == (20, 40)
        assert ExifTags.Base.Orientation not in image.getexif()
        top, bottom = image.getpixel((10, 5)), image.getpixel((10, 35))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]  # red above blue


def test_an_animated_png_keeps_its_first_frame(client, editor, media):
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (10, 10), color) for color in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(buffer, format="PNG", save_all=True, append_images=frames[1:])
    story = draft(editor)
    assert upload(client, editor, story, "anim.png", buffer.getvalue()).status_code == 302
    story.refresh_from_db()
    with Image.open(story.image.path) as image:
        assert getattr(image, "n_frames", 1) == 1
        assert image.convert("RGB").getpixel((0, 0)) == (255, 0, 0)


def test_the_uploaded_file_name_is_neither_stored_nor_shown(client, editor, media):
    story = draft(editor)
    name = "leaked-source-names-tiananmen.png"
    assert upload(client, editor, story, name, picture("PNG")).status_code == 302
    story.refresh_from_db()
    assert STORED_NAME.match(story.image.name)
    # The image and its renditions (editorial.renditions), all named after the random name.
    stem = story.image.name.rsplit("/", 1)[1].rsplit(".", 1)[0]
    assert {p.name.split(".", 1)[0] for p in stored_files(media)} == {stem}
    for url in (change_url(story), reverse("story_preview", args=[story.pk])):
        page = client.get(url).content.decode()
        assert story.image.name.rsplit(".", 1)[0] in page
        assert "leaked-source" not in page


# ---------------------------------------------------------------------------------------------
# Every image field, every path


@pytest.mark.parametrize("model", [Company, Platform])
def test_logos_get_the_same_treatment(client, admin_user, media, model):
    obj = make_company() if model is Company else make_platform()
    refused = upload(client, admin_user, obj, "logo.png", picture("TIFF"))
    assert refused.status_code == 200
    assert "Images must be JPEG, PNG or WebP" in refused.content.decode()
    assert stored_files(media) == []
    assert upload(client, admin_user, obj, "logo.png", picture("PNG")).status_code == 302
    obj.refresh_from_db()
    folder = "companies" if model is Company else "platforms"
    assert re.match(rf"^logos/{folder}/[0-9a-f]{{32}}\.png$", obj.logo.name)


def test_code_outside_the_admin_stores_only_clean_images_too(editor, media):
    story = draft(editor)
    polyglot = ContentFile(picture("PNG") + b"<script>alert(1)</script>")
    story.image.save("evil.html", polyglot)
    story.refresh_from_db()
    assert re.match(r"^stories/\d{4}/\d{2}/[0-9a-f]{32}\.png$", story.image.name)
    assert b"<script" not in story.image.read()
    with pytest.raises(ValidationError, match="JPEG, PNG or WebP"):
        make_story(image=SimpleUploadedFile("fine.png", picture("TIFF")))


def test_an_image_in_a_draft_revision_of_a_published_story_waits_for_publication(
    client, editor, reviewer, media
):
    story = make_story(
        "Live story", status=Status.PUBLISHED, author=editor, companies=[make_company()]
    )
    assert upload(client, editor, story, "new.png", picture("PNG")).status_code == 302
    story.refresh_from_db()
    new_name = story.latest_revision.content["fields"]["image"]
    assert STORED_NAME.match(new_name)
    # The public row and page keep no image until a reviewer publishes the revision.
    assert story.image.name == ""
    client.logout()
    stem = new_name.rsplit(".", 1)[0]
    assert stem not in client.get(story.get_absolute_url()).content.decode()
    workflow.submit(story, by=editor)
    workflow.publish(story, by=reviewer, revision=story.latest_revision_id)
    # Published: printed as its renditions (editorial.renditions), 40 pixels wide at most.
    page = client.get(story.get_absolute_url()).content.decode()
    assert f'srcset="/media/{stem}.w40.webp 40w"' in page
