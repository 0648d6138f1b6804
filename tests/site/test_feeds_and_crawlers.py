"""Feeds, sitemap, robots.txt, canonical URLs, Open Graph and JSON-LD."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from stories.models import Status
from tests.factories import make_company, make_issue, make_story, make_topic

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
NASTY = "Ampersand & <tag> ]]> \x01\x08\x0b\x1f emoji 🐉 and “quotes” \ufffe end"


def parse(response):
    assert response.status_code == 200
    return ET.fromstring(response.content)


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/issues/",
        "/feeds/issues/atom/",
        "/feeds/companies/alibaba-group/",
        "/feeds/companies/alibaba-group/atom/",
        "/feeds/topics/e-commerce/",
        "/feeds/topics/e-commerce/atom/",
    ],
)
def test_feeds_are_valid_xml(client, newsroom, url):
    root = parse(client.get(url))
    assert root.tag in ("rss", f"{ATOM}feed")


def test_issue_feed_has_an_item_per_issue_with_its_stories_inside(client, newsroom):
    root = parse(client.get("/feeds/issues/"))
    items = root.findall("./channel/item")
    assert [i.findtext("title") for i in items] == [
        "Issue #7: Singles' Day and the EU",
        "Issue #6: Temu abroad",
    ]
    description = items[0].findtext("description")
    assert "http://testserver/stories/eu-investigates-tiktok/" in description
    assert items[0].findtext("link") == "http://testserver/issues/7/"


def test_company_feed_rolls_up_like_the_timeline(client, newsroom):
    root = parse(client.get("/feeds/companies/alibaba-group/atom/"))
    titles = {e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")}
    assert titles == {
        "Alibaba and JD.com post Singles' Day growth",
        "Taobao adds an AI shopping assistant",
        "Tmall Global opens a European warehouse",
    }


def test_feeds_stay_valid_xml_whatever_the_content_holds(client, db):
    company = make_company(NASTY, slug="nasty")
    topic = make_topic(NASTY, slug="nasty-topic")
    story = make_story(
        NASTY,
        status=Status.PUBLISHED,
        summary=NASTY,
        body=NASTY,
        companies=[company],
        topics=[topic],
    )
    make_issue(1, title=NASTY, intro=NASTY, wrapup=NASTY, stories=[story], status=Status.PUBLISHED)
    for url in [
        "/feeds/issues/",
        "/feeds/issues/atom/",
        "/feeds/companies/nasty/",
        "/feeds/companies/nasty/atom/",
        "/feeds/topics/nasty-topic/",
        "/feeds/topics/nasty-topic/atom/",
    ]:
        root = parse(client.get(url))
        text = ET.tostring(root, encoding="unicode")
        assert "🐉" in text, url
        assert "]]>" in ET.tostring(root, encoding="unicode", method="text") or "]]&gt;" in text
    assert parse(client.get("/sitemap.xml")) is not None
    assert client.get("/").status_code == 200
    assert client.get(story.get_absolute_url()).status_code == 200


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_urls(client, index="/sitemap.xml"):
    """{address: lastmod} of every URL in every file the sitemap index names."""
    root = parse(client.get(index))
    assert root.tag == f"{SITEMAP}sitemapindex"
    locations = {}
    for entry in root:
        address = entry.findtext(f"{SITEMAP}loc")
        assert address.startswith("http://testserver/sitemap-"), address
        section = parse(client.get(address.removeprefix("http://testserver")))
        assert section.tag == f"{SITEMAP}urlset"
        for url in section:
            locations[url.findtext(f"{SITEMAP}loc")] = url.findtext(f"{SITEMAP}lastmod")
    return locations


def test_sitemap_lists_public_pages_with_lastmod(client, newsroom):
    make_company("Nobody Ltd", slug="nobody")
    locations = sitemap_urls(client)
    assert "http://testserver/issues/7/" in locations
    assert "http://testserver/stories/singles-day-growth/" in locations
    assert "http://testserver/companies/alibaba-group/" in locations
    assert "http://testserver/platforms/taobao/" in locations
    assert "http://testserver/topics/e-commerce/" in locations
    assert "http://testserver/issues/8/" not in locations
    assert all(lastmod for lastmod in locations.values())
    # Companies whose timeline shows no published story are not worth a crawler's visit; a
    # timeline shows its platforms' and subsidiaries' stories too.
    assert "http://testserver/companies/tmall-global/" in locations
    assert "http://testserver/companies/taobao-tmall/" in locations
    assert "http://testserver/companies/nobody/" not in locations


def test_sitemap_index_names_every_page_of_a_long_section(client, settings, monkeypatch):
    from digest_site.sitemaps import StorySitemap

    settings.DIGEST_PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(StorySitemap, "limit", 2)
    stories = [make_story(status=Status.PUBLISHED) for _ in range(5)]
    make_story(status=Status.DRAFT)
    index = ET.tostring(parse(client.get("/sitemap.xml")), encoding="unicode")
    assert "http://testserver/sitemap-stories.xml?p=3<" in index
    assert "sitemap-stories.xml?p=4" not in index
    pages = [
        [u.findtext(f"{SITEMAP}loc") for u in parse(client.get(f"/sitemap-stories.xml?p={p}"))]
        for p in (1, 2, 3)
    ]
    assert [len(page) for page in pages] == [2, 2, 1]
    expected = {f"http://testserver{s.get_absolute_url()}" for s in stories}
    assert {url for page in pages for url in page} == expected
    for bad in ("4", "0", "-1", "abc", "1.5"):
        assert client.get(f"/sitemap-stories.xml?p={bad}").status_code == 404, bad
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_sitemap_pages_are_cached_apart(client, monkeypatch):
    from digest_site.sitemaps import StorySitemap

    monkeypatch.setattr(StorySitemap, "limit", 1)
    first, second = (make_story(status=Status.PUBLISHED) for _ in range(2))
    one = client.get("/sitemap-stories.xml?p=1").content.decode()
    two = client.get("/sitemap-stories.xml?p=2").content.decode()
    assert (second.slug in one) != (second.slug in two)
    assert (first.slug in one) != (first.slug in two)


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    # ...which is the index of the sections, each far below the protocol's 50,000 addresses.
    assert parse(client.get("/sitemap.xml")).tag == f"{SITEMAP}sitemapindex"
    assert "Disallow: /admin/" in body


def _jsonld(page):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_story_has_canonical_open_graph_and_news_article(client, newsroom):
    page = client.get("/stories/eu-investigates-tiktok/").content.decode()
    assert '<link rel="canonical" href="http://testserver/stories/eu-investigates-tiktok/">' in page
    assert '<meta property="og:type" content="article">' in page
    assert (
        '<meta property="og:title" content="EU investigates TikTok over child protection">' in page
    )
    # Shared with its generated card (editorial.cards): a large image.
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    data = _jsonld(page)
    assert data["image"][0]["url"].startswith("http://testserver/media/social/")
    assert data["@type"] == "NewsArticle"
    assert data["about"][0]["name"] == "ByteDance"
    assert data["about"][0]["alternateName"] == "字节跳动"
    assert data["mentions"][0]["name"] == "TikTok"


def test_issue_json_ld_lists_its_stories_in_print_order(client, newsroom):
    data = _jsonld(client.get("/issues/7/").content.decode())
    assert data["@type"] == "PublicationIssue"
    assert [i["position"] for i in data["hasPart"]] == [1, 2, 3, 4]
    assert data["hasPart"][1]["url"] == "http://testserver/stories/eu-investigates-tiktok/"


def test_json_ld_cannot_be_broken_out_of(client, db):
    story = make_story("</script><script>alert(1)</script>", status=Status.PUBLISHED)
    page = client.get(story.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert _jsonld(page)["headline"] == "</script><script>alert(1)</script>"
