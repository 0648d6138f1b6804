"""Authors and bylines: Mei and Jon write for us; Erin the editor has her own byline; Rita and
Rob review. A byline (name and photo) shows on the story page, on its issue page, on the
author's page, in the JSON-LD and in both feed formats; a published revision pins it."""

import io
import json
import re

import feedparser
import pytest
from django.core.files.base import ContentFile
from PIL import Image

from editorial import revisions, workflow
from editorial.workflow import FourEyes, NotReady
from stories.models import Author, Byline, Status, Story
from tests.adminform import change_url, form_data, save_change_form
from tests.factories import make_author, make_company, make_issue, make_story

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png(size=(60, 40), colour=(10, 120, 200)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return ContentFile(out.getvalue())


@pytest.fixture
def mei():
    author = make_author("Mei Chen", slug="mei-chen", bio="Mei covers **e-commerce**.")
    author.photo.save("mei.png", png(), save=True)
    author.links.create(label="Website", url="https://example.com/mei", position=0)
    return author


@pytest.fixture
def jon():
    return make_author("Jon Park", slug="jon-park")


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def jsonld(html):
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )


def byline(html):
    return re.search(r'<p class="byline">.*?</p>', html, re.S).group(0)


# --- Bylines on pages -----------------------------------------------------------------------


def test_story_page_prints_each_author_with_photo_in_byline_order(client, mei, jon):
    story = make_story("Two writers", status=Status.PUBLISHED, authors=[jon, mei])
    line = byline(page(client, story.get_absolute_url()))
    assert re.search(r"By <a [^>]*>Jon Park</a> and <a [^>]*>Mei Chen</a>", line)
    assert 'href="/authors/mei-chen/"' in line
    photo = re.search(r"<img [^>]*>", line).group(0)
    # The photo's own renditions (editorial.renditions), WebP first.
    stem = mei.photo.url.rsplit(".", 1)[0]
    assert f'src="{stem}.w60.jpg"' in photo
    assert f'<source type="image/webp" srcset="{stem}.w60.webp 60w"' in line
    assert 'width="60" height="40"' in photo
    assert 'alt=""' in photo  # the name stands next to it


def test_issue_page_prints_the_byline_in_each_story_block(client, mei, jon):
    one = make_story("First", status=Status.PUBLISHED, authors=[mei])
    two = make_story("Second", status=Status.PUBLISHED, authors=[jon])
    make_issue(3, stories=[one, two], status=Status.PUBLISHED)
    html = page(client, "/issues/3/")
    blocks = re.findall(r'<p class="byline">.*?</p>', html, re.S)
    assert [re.findall(r">([^<>]+)</a>", block) for block in blocks] == [["Mei Chen"], ["Jon Park"]]
    assert mei.photo.url.rsplit(".", 1)[0] + ".w60." in blocks[0]


def test_renaming_an_author_shows_on_stored_issue_pages_at_once(client, mei):
    story = make_story("Signed", status=Status.PUBLISHED, authors=[mei])
    make_issue(4, stories=[story], status=Status.PUBLISHED)
    assert "Mei Chen" in page(client, "/issues/4/")  # now in the page cache too
    mei.name = "Mei Chen-Lambert"
    mei.save()
    html = page(client, "/issues/4/")
    assert "Mei Chen-Lambert" in html
    assert "Mei Chen-Lambert" in page(client, story.get_absolute_url())


def test_a_new_photo_shows_on_stored_issue_pages_at_once(client, mei):
    story = make_story("Signed", status=Status.PUBLISHED, authors=[mei])
    make_issue(5, stories=[story], status=Status.PUBLISHED)
    old = mei.photo.url.rsplit(".", 1)[0]  # its renditions share the stem
    assert old + ".w" in page(client, "/issues/5/")
    mei.photo.save("new.png", png(size=(50, 50)), save=True)
    html = page(client, "/issues/5/")
    assert old not in html
    assert (
        mei.photo.url.rsplit(".", 1)[0] + ".w50.webp" in html and 'width="50" height="50"' in html
    )


def test_a_byline_added_to_a_draft_story_in_the_issue_updates_its_stored_block(mei, jon):
    story = make_story("Signed", status=Status.PUBLISHED, authors=[mei])
    Byline.objects.create(story=story, author=jon, position=1)
    story.refresh_from_db()
    assert "Jon Park" in story.block_html


# --- Author pages ---------------------------------------------------------------------------


def test_author_page_shows_photo_bio_links_and_only_published_stories(client, mei):
    make_story("Out in the open", status=Status.PUBLISHED, authors=[mei])
    make_story("Still a draft", authors=[mei])
    make_story("Waiting for review", status=Status.IN_REVIEW, authors=[mei])
    make_story("Someone else's", status=Status.PUBLISHED)
    html = page(client, "/authors/mei-chen/")
    assert "<h1>Mei Chen</h1>" in html
    assert "<strong>e-commerce</strong>" in html
    assert 'href="https://example.com/mei"' in html
    stem = mei.photo.url.rsplit(".", 1)[0]
    assert f'src="{stem}.w60.jpg"' in html and 'alt="Mei Chen"' in html
    headlines = re.findall(r'class="card-headline"><a [^>]*>([^<]+)</a>', html)
    assert headlines == ["Out in the open"]


def test_scheduled_stories_stay_off_the_author_page(client, mei):
    from datetime import timedelta

    from django.utils import timezone

    make_story("Now", status=Status.PUBLISHED, authors=[mei])
    make_story(
        "Later",
        status=Status.PUBLISHED,
        published_at=timezone.now() + timedelta(hours=2),
        authors=[mei],
    )
    html = page(client, "/authors/mei-chen/")
    assert "Now" in html and "Later" not in html


def test_a_new_link_shows_on_the_stored_author_page_at_once(client, mei):
    make_story("Public", status=Status.PUBLISHED, authors=[mei])
    assert "Mastodon" not in page(client, "/authors/mei-chen/")  # stored now
    mei.links.create(label="Mastodon", url="https://example.social/@mei", position=1)
    assert 'href="https://example.social/@mei"' in page(client, "/authors/mei-chen/")


def test_an_author_without_published_stories_has_no_page(client, mei, jon):
    make_story("Draft only", authors=[jon])
    assert client.get("/authors/jon-park/").status_code == 404
    assert client.get("/authors/nobody/").status_code == 404


def test_author_page_is_paginated_like_timelines(client, mei, settings):
    from stories import timeline

    for n in range(timeline.PER_PAGE + 2):
        make_story(f"Story number {n}", status=Status.PUBLISHED, authors=[mei])
    first = page(client, "/authors/mei-chen/")
    assert 'rel="next" href="?page=2"' in first
    second = page(client, "/authors/mei-chen/?page=2")
    assert len(re.findall('class="card-headline"', second)) == 2
    assert client.get("/authors/mei-chen/?page=3").status_code == 404


def test_author_index_lists_only_authors_with_published_stories(client, mei, jon):
    make_story("Public", status=Status.PUBLISHED, authors=[mei])
    make_story("Public too", status=Status.PUBLISHED, authors=[mei])
    make_story("Draft", authors=[jon])
    html = page(client, "/authors/")
    assert 'href="/authors/mei-chen/"' in html and "2 stories" in html
    assert "Jon Park" not in html


# --- Structured data and feeds ----------------------------------------------------------------


def test_story_json_ld_names_its_authors_as_people(client, mei, jon):
    story = make_story("Two writers", status=Status.PUBLISHED, authors=[mei, jon])
    data = jsonld(page(client, story.get_absolute_url()))
    assert data["author"] == [
        {"@type": "Person", "name": "Mei Chen", "url": "http://testserver/authors/mei-chen/"},
        {"@type": "Person", "name": "Jon Park", "url": "http://testserver/authors/jon-park/"},
    ]


@pytest.mark.parametrize("kind", ["", "atom/"])
def test_story_feeds_name_every_author(client, mei, jon, kind):
    company = make_company("Alibaba Group", slug="alibaba-group")
    make_story("Two writers", status=Status.PUBLISHED, companies=[company], authors=[mei, jon])
    feed = feedparser.parse(client.get(f"/feeds/companies/alibaba-group/{kind}").content)
    assert not feed.bozo, feed.bozo_exception
    [entry] = feed.entries
    assert [a.get("name") for a in entry.authors] == ["Mei Chen", "Jon Park"]
    if kind:
        assert entry.authors[0]["href"] == "http://testserver/authors/mei-chen/"


@pytest.mark.parametrize("kind", ["", "atom/"])
def test_issue_feeds_name_the_writers_of_the_issue(client, mei, jon, kind):
    one = make_story("First", status=Status.PUBLISHED, authors=[mei])
    two = make_story("Second", status=Status.PUBLISHED, authors=[jon, mei])
    make_issue(8, stories=[one, two], status=Status.PUBLISHED)
    feed = feedparser.parse(client.get(f"/feeds/issues/{kind}").content)
    assert not feed.bozo, feed.bozo_exception
    [entry] = feed.entries
    assert [a.get("name") for a in entry.authors] == ["Mei Chen", "Jon Park"]


# --- Revisions, publishing and four eyes ----------------------------------------------------------


def test_editing_the_byline_of_a_published_story_waits_for_publication(
    client, editor, reviewer, mei, jon
):
    story = make_story(
        "Signed", status=Status.PUBLISHED, author=editor, authors=[mei], companies=[make_company()]
    )
    save_change_form(client, editor, story, **{"bylines-0-author": str(jon.pk)})
    # The public byline is the published revision's.
    assert list(story.authors.all()) == [mei]
    assert "Mei Chen" in byline(page(client, story.get_absolute_url()))
    assert story.latest_revision.content["children"]["bylines"] == [
        {"author": jon.pk, "position": 0}
    ]
    story.refresh_from_db()
    workflow.submit(story, by=editor)
    workflow.publish(story, by=reviewer, revision=story.latest_revision_id)
    assert list(story.authors.all()) == [jon]
    assert "Jon Park" in byline(page(client, story.get_absolute_url()))


def test_the_preview_of_a_pending_byline_shows_the_new_authors(client, editor, mei, jon):
    story = make_story(
        "Signed", status=Status.PUBLISHED, author=editor, authors=[mei], companies=[make_company()]
    )
    save_change_form(client, editor, story, **{"bylines-0-author": str(jon.pk)})
    preview = byline(page(client, f"/preview/stories/{story.pk}/"))
    assert "Jon Park" in preview and "Mei Chen" not in preview


def test_the_diff_names_authors_added_and_removed(editor, mei, jon):
    story = make_story("Signed", author=editor, authors=[mei])
    old = revisions.serialize(story)
    new = {**old, "children": {**old["children"], "bylines": [{"author": jon.pk, "position": 0}]}}
    [change] = [c for c in revisions.diff(Story, old, new) if c.label == "Bylines"]
    assert (change.removed, change.added) == (["Mei Chen"], ["Jon Park"])


def test_a_story_without_an_author_cannot_be_published(editor, reviewer):
    story = make_story(
        "Unsigned", status=Status.IN_REVIEW, author=editor, authors=[], companies=[make_company()]
    )
    with pytest.raises(NotReady, match="it needs an author"):
        workflow.publish(story, by=reviewer)
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW


def test_a_reviewer_cannot_publish_a_story_under_their_own_byline(reviewer, other_reviewer, editor):
    rita = make_author("Rita Reviewer", slug="rita", user=reviewer)
    story = make_story(
        "Rita's", status=Status.IN_REVIEW, author=editor, authors=[rita], companies=[make_company()]
    )
    assert story.written_by(reviewer)
    with pytest.raises(FourEyes):
        workflow.publish(story, by=reviewer)
    workflow.publish(story, by=other_reviewer)
    story.refresh_from_db()
    assert story.is_published


# --- Admin ----------------------------------------------------------------------------------


def test_a_new_story_starts_with_the_writer_s_own_byline(client, editor):
    erin = make_author("Erin Editor", slug="erin", user=editor)
    client.force_login(editor)
    data = form_data(client.get("/admin/stories/story/add/"))
    assert data["bylines-0-author"] == str(erin.pk)
    data.update(headline="Erin's story", slug="erins-story")
    assert client.post("/admin/stories/story/add/", data).status_code == 302
    assert list(Story.objects.get(slug="erins-story").authors.all()) == [erin]


def test_editors_create_authors_but_only_reviewers_rename_one_in_public_use(
    client, editor, reviewer, mei
):
    client.force_login(editor)
    response = client.post(
        "/admin/stories/author/add/",
        {
            "name": "New Writer",
            "slug": "new-writer",
            "bio": "",
            "links-TOTAL_FORMS": "0",
            "links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Author.objects.filter(slug="new-writer").exists()

    make_story("Public", status=Status.PUBLISHED, authors=[mei])
    form = client.get(change_url(mei)).context["adminform"].form
    assert "name" not in form.fields and "slug" not in form.fields and "photo" not in form.fields
    client.post(change_url(mei), form_data(client.get(change_url(mei)), name="Renamed"))
    mei.refresh_from_db()
    assert mei.name == "Mei Chen"

    client.force_login(reviewer)
    data = form_data(client.get(change_url(mei)), name="Mei Chen-Lambert")
    assert client.post(change_url(mei), data).status_code == 302
    mei.refresh_from_db()
    assert mei.name == "Mei Chen-Lambert"


def test_an_author_who_signs_a_story_cannot_be_deleted(client, admin_user, mei):
    make_story("Signed", authors=[mei])
    client.force_login(admin_user)
    client.post(f"/admin/stories/author/{mei.pk}/delete/", {"post": "yes"})
    assert Author.objects.filter(pk=mei.pk).exists()
