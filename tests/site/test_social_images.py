"""What a shared link shows (og:image, twitter:image) and the cards drawn for it
(editorial.cards): every public page names an image that answers 200 with an image type.

MEDIA_ROOT is a fresh folder per test; `migrate` (which every deployment runs) draws the site's
card there, as it did when the test database was made.
"""

import io
import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image, ImageChops

from editorial import cards, revisions, workflow
from sitesettings import models as site_settings
from stories.models import Status, Story
from tests.factories import make_company, make_story

pytestmark = pytest.mark.django_db

OG = re.compile(r'<meta property="og:image" content="([^"]+)">')


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DIGEST_PAGE_CACHE_SECONDS = 0
    call_command("migrate", verbosity=0, stdout=StringIO())  # draws the site's card
    return settings.MEDIA_ROOT


def og_image(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    found = OG.findall(html)
    assert len(found) == 1, url
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta name="twitter:image" content="{found[0]}">' in html
    return found[0], html


def fetch_image(client, absolute_url):
    assert absolute_url.startswith("http://testserver/media/")
    response = client.get(absolute_url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/png", "image/jpeg", "image/webp")
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    image.load()
    return image


def meta(html, prop):
    found = re.search(rf'<meta property="og:image:{prop}" content="([^"]*)">', html).group(1)
    return unescape(found)


def publish_with_image(story):
    out = io.BytesIO()
    Image.new("RGB", (1600, 800), (10, 120, 200)).save(out, format="JPEG")
    story.image_alt = "A blue field"
    story.image.save("lead.jpg", ContentFile(out.getvalue()))
    return story


def test_every_public_page_names_an_image_that_answers_with_an_image(client, newsroom):
    publish_with_image(newsroom.singles)
    pages = [
        "/",
        "/issues/",
        "/issues/7/",
        "/stories/singles-day-growth/",
        "/stories/eu-investigates-tiktok/",
        "/companies/",
        "/companies/alibaba-group/",
        "/platforms/tiktok/",
        "/topics/e-commerce/",
        "/search/",
        "/search/?q=alibaba",
        "/no-such-page/",
    ]
    for url in pages:
        response = client.get(url)
        html = response.content.decode()
        (found,) = OG.findall(html)
        image = fetch_image(client, found)
        assert image.size == (int(meta(html, "width")), int(meta(html, "height"))), url
        assert meta(html, "alt"), url


def test_a_story_with_an_image_is_shared_with_its_1200_wide_rendition(client, newsroom):
    story = publish_with_image(newsroom.singles)
    found, html = og_image(client, story.get_absolute_url())
    stem = story.image.name.rsplit(".", 1)[0]
    assert found == f"http://testserver/media/{stem}.w1200.jpg"
    assert (meta(html, "width"), meta(html, "height"), meta(html, "alt")) == (
        "1200",
        "600",
        "A blue field",
    )
    assert fetch_image(client, found).size == (1200, 600)
    (jsonld,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
    assert json.loads(jsonld)["image"][0]["url"] == found


def test_a_story_without_an_image_gets_a_card_that_changes_with_its_headline(
    client, editor, reviewer
):
    story = make_story(
        "Baidu opens Ernie to everyone",
        status=Status.PUBLISHED,
        author=editor,
        companies=[make_company()],
    )
    first, html = og_image(client, story.get_absolute_url())
    assert first.startswith("http://testserver/media/social/")
    assert (meta(html, "width"), meta(html, "height")) == ("1200", "630")
    before = fetch_image(client, first)
    assert before.size == (1200, 630)

    # A drafted headline changes nothing public; publishing it draws a new card.
    content = revisions.serialize(story)
    content["fields"] = {**content["fields"], "headline": "Baidu opens Ernie Bot to all users"}
    workflow.keep_revision(story, by=editor, content=content)
    assert og_image(client, story.get_absolute_url())[0] == first
    workflow.submit(story, by=editor)
    workflow.publish(story, by=reviewer, revision=story.latest_revision_id)
    second, _html = og_image(client, story.get_absolute_url())
    assert second != first
    after = fetch_image(client, second)
    assert ImageChops.difference(before.convert("RGB"), after.convert("RGB")).getbbox()
    # The old card stays where shares made before the change point.
    assert fetch_image(client, first).size == (1200, 630)


def test_a_draft_gets_no_card_of_its_own(client):
    story = make_story("Secret plans", companies=[make_company()])
    assert Story.objects.get(pk=story.pk).social_card == ""


def test_an_issue_is_shared_with_a_card_of_its_number_and_title(client, newsroom):
    found, html = og_image(client, "/issues/7/")
    site_card, _html = og_image(client, "/issues/")
    assert found != site_card
    assert meta(html, "alt") == "Issue #7: Singles' Day and the EU"
    assert fetch_image(client, found).size == (1200, 630)
    assert og_image(client, "/")[0] == found  # the home page shows the latest issue


def test_the_site_card_is_drawn_by_migrate(client, media, settings):
    settings.SITE_NAME = "Weekly Wire"
    site_settings.forget()  # the environment's name stands in for the row, read per epoch
    found, html = og_image(client, "/issues/")
    assert not (media / found.removeprefix("http://testserver/media/")).exists()
    call_command("migrate", verbosity=0, stdout=StringIO())
    assert fetch_image(client, found).size == (1200, 630)
    assert meta(html, "alt") == "Weekly Wire"


def test_chinese_headlines_draw_without_empty_boxes(monkeypatch):
    headline = "Alibaba (阿里巴巴) café names a new chief — “Eddie” Wu"
    # With the fonts of a machine that has one for Chinese (the browser tests' Debian packages
    # bring fonts-wqy-zenhei), all of it draws.
    monkeypatch.setattr(cards, "CARD_FONTS", [p for p in cards.CARD_FONTS if "wqy" in p])
    for cached in (cards._fonts, cards._font_for):
        cached.cache_clear()
    if any(Path(path).is_file() for path in cards.CARD_FONTS):
        assert cards.drawable(headline, 40) == headline
    # With none at all, only Pillow's own font (Aileron, Latin without accents): Chinese is
    # left out (its brackets with it), accents and the dash fall back to their plain forms.
    monkeypatch.setattr(cards, "CARD_FONTS", ())
    for cached in (cards._fonts, cards._font_for):
        cached.cache_clear()
    try:
        assert cards.drawable(headline, 40) == "Alibaba cafe names a new chief - “Eddie” Wu"
        png = cards.draw_card(headline)
        assert Image.open(io.BytesIO(png)).size == (1200, 630)
    finally:
        monkeypatch.undo()
        for cached in (cards._fonts, cards._font_for):
            cached.cache_clear()


def test_a_card_is_drawn_once_per_text(media):
    name = cards.ensure_card("Same words")
    stamp = (media / name).stat().st_mtime_ns
    assert cards.ensure_card("Same words") == name
    assert (media / name).stat().st_mtime_ns == stamp
    assert cards.ensure_card("Other words") != name


def test_pages_cost_the_same_queries_with_images_as_without(client, newsroom):
    def count(url):
        client.get(url)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = ("/", "/issues/7/", "/stories/singles-day-growth/", "/companies/alibaba-group/")
    without = {url: count(url) for url in urls}
    publish_with_image(newsroom.singles)
    publish_with_image(newsroom.eu)
    with_images = {url: count(url) for url in urls}
    assert "srcset" in client.get("/issues/7/").content.decode()
    assert "card-thumb" in client.get("/companies/alibaba-group/").content.decode()
    assert with_images == without


def test_story_feeds_enclose_the_lead_image(client, newsroom):
    story = publish_with_image(newsroom.eu)
    stem = story.image.name.rsplit(".", 1)[0]
    rss = ET.fromstring(client.get("/feeds/companies/bytedance/").content)
    enclosures = {item.findtext("title"): item.find("enclosure") for item in rss.iter("item")}
    image = enclosures["EU investigates TikTok over child protection"]
    assert image.get("url") == f"http://testserver/media/{stem}.w1200.jpg"
    assert image.get("type") == "image/jpeg"
    assert int(image.get("length")) == len(fetch_image_bytes(client, image.get("url")))
    assert enclosures["ByteDance tests a shopping tab"] is None  # no image, no enclosure
    atom = ET.fromstring(client.get("/feeds/companies/bytedance/atom/").content)
    links = atom.findall(".//{http://www.w3.org/2005/Atom}link[@rel='enclosure']")
    assert [link.get("href") for link in links] == [f"http://testserver/media/{stem}.w1200.jpg"]


def fetch_image_bytes(client, absolute_url):
    response = client.get(absolute_url.removeprefix("http://testserver"))
    return b"".join(response.streaming_content)
