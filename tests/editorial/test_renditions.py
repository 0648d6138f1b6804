"""Responsive renditions (editorial.renditions): made once when an image is stored, printed by
`{% picture %}` from the row alone.

Erin the editor gives stories images and Carl the admin gives companies logos; every image is
drawn here with Pillow. MEDIA_ROOT is a fresh folder per test.
"""

import io
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.template import Context, Template
from PIL import Image

from editorial import renditions, workflow
from issues.models import Issue
from stories import fragments
from stories.models import Status, Story
from tests.factories import make_company, make_issue, make_story

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DIGEST_PAGE_CACHE_SECONDS = 0
    return settings.MEDIA_ROOT


def image_bytes(size, mode="RGB", image_format="JPEG"):
    image = Image.new(mode, size, (200, 40, 40, 128) if mode == "RGBA" else (200, 40, 40))
    out = io.BytesIO()
    image.save(out, format=image_format)
    return out.getvalue()


def with_image(story, size=(1000, 500), **fields):
    for name, value in {"image_alt": "A red field", **fields}.items():
        setattr(story, name, value)
    story.image.save("erin.jpg", ContentFile(image_bytes(size)))
    return story


def open_stored(media, name):
    with Image.open(media / name) as image:
        image.load()
        return image


def rendered(template, **context):
    return Template("{% load pictures %}" + template).render(Context(context))


def test_an_upload_gets_webp_and_jpeg_renditions_at_each_width_up_to_its_own(media):
    story = with_image(make_story())
    name = story.image.name
    assert story.image_renditions == {
        "name": name,
        "width": 1000,
        "height": 500,
        "widths": [320, 640, 960, 1000],
        "fallback": "jpg",
        "social_bytes": (media / renditions.rendition_name(name, 1000, "jpg")).stat().st_size,
    }
    for width in (320, 640, 960, 1000):
        webp = open_stored(media, renditions.rendition_name(name, width, "webp"))
        jpeg = open_stored(media, renditions.rendition_name(name, width, "jpg"))
        assert (webp.format, webp.size) == ("WEBP", (width, width // 2))
        assert (jpeg.format, jpeg.size) == ("JPEG", (width, width // 2))
    # Never upscaled: no 1200 or 1600 copy of a 1000-pixel image.
    stored = {path.name for path in media.rglob("*.w*")}
    assert len(stored) == 8
    assert not [n for n in stored if ".w1200." in n or ".w1600." in n]
    # Recorded on the row as saved.
    assert Story.objects.get(pk=story.pk).image_renditions["widths"] == [320, 640, 960, 1000]


def test_a_small_image_is_kept_at_its_own_width_only(media):
    story = with_image(make_story(), size=(200, 120))
    assert story.image_renditions["widths"] == [200]
    assert sorted(p.suffix for p in media.rglob("*.w200.*")) == [".jpg", ".webp"]


def test_a_transparent_logo_falls_back_to_png_and_keeps_its_transparency(client, media):
    company = make_company("Alpha Co")
    company.logo.save("alpha.png", ContentFile(image_bytes((400, 400), "RGBA", "PNG")))
    company.refresh_from_db()
    assert company.logo_renditions["fallback"] == "png"
    assert company.logo_renditions["widths"] == [320, 400]
    fallback = open_stored(media, renditions.rendition_name(company.logo.name, 320, "png"))
    webp = open_stored(media, renditions.rendition_name(company.logo.name, 320, "webp"))
    assert fallback.mode == "RGBA" and fallback.getpixel((5, 5))[3] == 128
    assert webp.mode == "RGBA"
    html = rendered('{% picture logo alt="" sizes="4rem" %}', logo=company.logo)
    assert ".w320.png 320w" in html and 'type="image/webp"' in html
    # The company's page shows it beside its name.
    page = client.get(company.get_absolute_url()).content.decode()
    assert (
        'width="400" height="400" alt="" loading="lazy" decoding="async" class="profile-logo"'
        in page
    )


def test_the_picture_tag_prints_both_srcsets_size_and_alt_from_the_row_alone(
    media, django_assert_num_queries
):
    story = with_image(make_story(), image_alt='Erin\'s "red" <field>')
    row = Story.objects.get(pk=story.pk)
    stem = "/media/" + story.image.name.rsplit(".", 1)[0]
    # No file is read: with every stored file gone, the tag prints the same from the row.
    for path in media.rglob("*"):
        if path.is_file():
            path.unlink()
    with django_assert_num_queries(0):
        html = rendered('{% picture story.image alt=story.image_alt sizes="50vw" %}', story=row)
    assert (
        f'<source type="image/webp" srcset="{stem}.w320.webp 320w, {stem}.w640.webp 640w, '
        f'{stem}.w960.webp 960w, {stem}.w1000.webp 1000w" sizes="50vw">'
    ) in html
    assert f'srcset="{stem}.w320.jpg 320w, {stem}.w640.jpg 640w' in html
    assert 'width="1000" height="500"' in html
    assert 'alt="Erin&#x27;s &quot;red&quot; &lt;field&gt;"' in html
    assert 'loading="lazy" decoding="async"' in html


def test_an_image_without_recorded_renditions_prints_as_its_original(media):
    story = with_image(make_story())
    Story.objects.filter(pk=story.pk).update(image_renditions={})
    html = rendered('{% picture s.image alt="x" %}', s=Story.objects.get(pk=story.pk))
    assert html == f'<img src="/media/{story.image.name}" alt="x" loading="lazy" decoding="async">'
    assert rendered('{% picture s.image alt="x" %}', s=make_story()) == ""


def test_a_draft_revisions_image_gets_renditions_when_stored_and_shows_once_published(
    client, editor, reviewer, media
):
    story = make_story("Live", status=Status.PUBLISHED, author=editor, companies=[make_company()])
    issue = make_issue(stories=[story], status=Status.PUBLISHED)
    # Erin's edit of the published story, as the admin keeps it: a revision naming the image.
    draft = Story.objects.get(pk=story.pk)
    draft.image.save("new.jpg", ContentFile(image_bytes((700, 350))), save=False)
    content = {**workflow.revisions.serialize(story)}
    content["fields"] = {**content["fields"], "image": draft.image.name, "image_alt": "Red"}
    workflow.keep_revision(story, by=editor, content=content)
    stem = draft.image.name.rsplit(".", 1)[0]
    assert (media / f"{stem}.w640.webp").is_file()  # made when stored, before review
    for url in (story.get_absolute_url(), issue.get_absolute_url()):
        assert stem not in client.get(url).content.decode()

    workflow.submit(story, by=editor)
    workflow.publish(story, by=reviewer, revision=story.latest_revision_id)
    for url in (story.get_absolute_url(), issue.get_absolute_url()):
        assert f"{stem}.w640.webp 640w" in client.get(url).content.decode()


def test_a_replaced_image_leaves_the_old_files_for_revisions_that_name_them(media):
    story = with_image(make_story())
    old = story.image.name
    with_image(story, size=(800, 400))
    assert story.image.name != old
    assert (media / old).is_file()
    assert (media / renditions.rendition_name(old, 640, "webp")).is_file()
    assert story.image_renditions["name"] == story.image.name


def test_make_renditions_completes_images_stored_before_renditions_existed(client, media):
    story = with_image(make_story(status=Status.PUBLISHED, companies=[make_company()]))
    issue = make_issue(stories=[story], status=Status.PUBLISHED)
    # As an upgraded site has it: the original alone, nothing recorded, blocks without it.
    for path in media.rglob("*.w*"):
        path.unlink()
    Story.objects.filter(pk=story.pk).update(image_renditions={})
    fragments.store_blocks([story.pk])  # as stored before: the original alone
    assert "srcset" not in client.get(issue.get_absolute_url()).content.decode()

    out = StringIO()
    call_command("make_renditions", stdout=out)
    assert "1 rows updated" in out.getvalue()
    assert (media / renditions.rendition_name(story.image.name, 960, "jpg")).is_file()
    assert Story.objects.get(pk=story.pk).image_renditions["widths"] == [320, 640, 960, 1000]
    assert ".w960.webp 960w" in client.get(issue.get_absolute_url()).content.decode()
    assert ".w960.webp 960w" in Issue.objects.get(pk=issue.pk).contents_html
    # Again: nothing left to do.
    call_command("make_renditions", stdout=out)
    assert "0 rows updated" in out.getvalue()


def test_a_lost_original_publishes_without_renditions_instead_of_failing(media):
    story = make_story(status=Status.PUBLISHED, companies=[make_company()])
    story.image = "stories/2020/01/" + "0" * 32 + ".jpg"  # named by an old revision, gone
    story.save()
    assert Story.objects.get(pk=story.pk).image_renditions == {}


def test_a_row_created_with_an_image_name_records_its_renditions(media):
    # As a script or an import makes one: the file is stored first, the row names it.
    name = "stories/2020/01/" + "a" * 32 + ".jpg"
    (media / "stories/2020/01").mkdir(parents=True)
    (media / name).write_bytes(image_bytes((640, 480)))
    story = Story.objects.create(headline="Imported", slug="imported", image=name)
    assert Story.objects.get(pk=story.pk).image_renditions["widths"] == [320, 640]
    assert (media / renditions.rendition_name(name, 320, "webp")).is_file()
