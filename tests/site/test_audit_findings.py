"""Findings of the adversarial review (helper "audit"): each test proves one bug or hole.

Tests that FAIL today describe behaviour the project promises but does not have yet; the
report lists which ones. A few pass: they pin attack paths that were tried and held.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from django.utils.http import http_date

from editorial import workflow
from editorial.workflow import NotAllowed
from stories.models import Status, Story
from tests.adminform import form_data
from tests.factories import make_company, make_issue, make_story

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def lenient(client):
    """A client that reports a server error as a 500 instead of re-raising it in the test."""
    client.raise_request_exception = False
    return client


# ---------------------------------------------------------------------------------------------
# 1. Leaks: unpublished content after an unpublish, via the page cache and HTTP validators


def test_production_settings_without_redis_keep_the_page_cache_on():
    """Production runs several gunicorn workers and REDIS_URL is optional there. Each worker
    keeps its own pages, told of every change by PostgreSQL (digest_site/pages/epochs.py), so
    the cache needs no shared store to be right: test_cache_across_workers.py proves it with
    real workers. Production must not fall back to rendering every page."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE", "DIGEST_PAGE_CACHE_SECONDS"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "digest_site.settings.production"
    env["SECRET_KEY"] = "x7#Kq!2vR9@mZ4pL8wT1nB6yH3jF0cD5sG_aE-uQ+oI=rU%tY^eW&zX*vN(bM)lK"
    script = (
        "import django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "print(settings.DIGEST_PAGE_CACHE_SECONDS, settings.MIDDLEWARE)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seconds, middleware = result.stdout.split(" ", 1)
    assert int(seconds) > 0
    assert "digest_site.pages.PageCacheMiddleware" in middleware


def test_if_modified_since_of_the_same_second_does_not_hide_an_unpublish(client, newsroom):
    """Last-Modified was the render time in whole seconds: a page rendered, then changed by an
    unpublish, then rendered again within the same second carried the same date, so a client
    revalidating with If-Modified-Since only (many feed readers and proxies do) got 304 and
    kept the unpublished story. Pages now carry no Last-Modified (ETag only)."""
    with time_machine.travel(timezone.now(), tick=False):
        first = client.get("/issues/7/")
        assert first.status_code == 200
        assert newsroom.singles.headline in first.content.decode()
        assert "Last-Modified" not in first

        story = Story.objects.get(pk=newsroom.singles.pk)
        story.status, story.published_at = Status.DRAFT, None
        story.save()

        since = http_date(time.time())
        again = client.get("/issues/7/", headers={"If-Modified-Since": since})
        assert again.status_code == 200, "a 304 keeps the unpublished story in the reader's copy"
        assert newsroom.singles.headline not in again.content.decode()


def test_search_page_served_from_the_cache_keeps_x_robots_tag_noindex(client, newsroom):
    """The search view sets X-Robots-Tag: noindex, but a cache hit rebuilt the response from
    content type and body only, so every request after the first dropped the header. (Only
    the empty search form is stored: results for a query never are.)"""
    first = client.get("/search/")
    assert first["X-Robots-Tag"] == "noindex"
    hit = client.get("/search/")
    assert hit["X-Page-Cache"] == "hit"
    assert hit.get("X-Robots-Tag") == "noindex"


# Attack paths tried that held (these pass): kept as regression guards.


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_cached_page_never_outlives_an_unpublish_for_readers(client, newsroom, reader, who):
    if who == "reader":
        client.force_login(reader)
    assert newsroom.singles.headline in client.get("/").content.decode()
    client.get("/")
    story = Story.objects.get(pk=newsroom.singles.pk)
    story.status, story.published_at = Status.DRAFT, None
    story.save()
    assert newsroom.singles.headline not in client.get("/").content.decode()
    assert client.get(newsroom.singles.get_absolute_url()).status_code == 404


def test_reader_cannot_open_previews(client, newsroom, reader):
    client.force_login(reader)
    hidden = newsroom.hidden["draft"]
    assert client.get(f"/preview/stories/{hidden.pk}/").status_code == 404
    assert client.get(f"/preview/issues/{newsroom.draft_issue.pk}/").status_code == 404
    assert client.get("/admin/desk/").status_code == 302


# ---------------------------------------------------------------------------------------------
# 2. Four eyes


def test_reviewer_who_rewrote_a_story_cannot_publish_it_alone(client, reviewer, editor):
    """Four eyes means nobody publishes text only they have checked. A reviewer may correct a
    story in review (editorial.workflow.can_edit) and then publish it: the check looks only at
    `author`, so the reviewer's own rewrite goes live without a second reviewer."""
    story = make_story(
        status=Status.IN_REVIEW, author=editor, companies=[make_company()], summary="Fine."
    )
    client.force_login(reviewer)
    url = f"/admin/stories/story/{story.pk}/change/"
    data = form_data(client.get(url), summary="Entirely the reviewer's own words now.")
    assert client.post(url, data).status_code == 302
    story.refresh_from_db()
    assert story.summary == "Entirely the reviewer's own words now."
    with pytest.raises(NotAllowed):
        workflow.publish(story, by=reviewer)


def test_reviewer_cannot_publish_an_issue_holding_their_own_story(reviewer, editor):
    """Held: the issue route applies four eyes to the stories it would publish."""
    mine = make_story(status=Status.IN_REVIEW, author=reviewer, companies=[make_company()])
    issue = make_issue(stories=[mine], status=Status.IN_REVIEW)
    with pytest.raises(NotAllowed):
        workflow.publish(issue, by=reviewer)
    mine.refresh_from_db()
    assert mine.status == Status.IN_REVIEW


# ---------------------------------------------------------------------------------------------
# 3. Server errors from user input


@pytest.mark.parametrize("term", ["²", "³", "¹²"])
def test_issue_admin_search_with_a_superscript_digit_is_not_a_500(lenient, editor, term):
    """issues/admin.py: `term.isdigit()` is true for superscript digits, `int(term)` is not."""
    make_issue(42)
    lenient.force_login(editor)
    response = lenient.get("/admin/issues/issue/", {"q": term})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"app_label": "stories", "model_name": "story", "field_name": "companies"},
        {"app_label": "stories", "model_name": "story", "field_name": "platforms"},
        {"app_label": "issues", "model_name": "issuestory", "field_name": "story"},
        {"app_label": "companies", "model_name": "company", "field_name": "parent"},
    ],
    ids=["companies", "platforms", "issue-story", "company-parent"],
)
def test_nul_byte_in_admin_autocomplete_term_is_not_a_500(lenient, editor, admin_user, params):
    """The admin's autocomplete passes `term` straight to get_search_results; PostgreSQL
    refuses NUL in text, so every autocomplete box answers 500 to `term=%00`."""
    make_story(companies=[make_company("Alibaba Group")])
    lenient.force_login(admin_user if params["model_name"] == "company" else editor)
    response = lenient.get("/admin/autocomplete/", {"term": "Ali\x00baba", **params})
    assert response.status_code in (200, 400)


def test_unknown_query_parameters_do_not_create_new_page_cache_entries(client, newsroom):
    """The cache keyed pages by the full URL, query string included, and stored every 200.
    `/?x=1`, `/?x=2`, ... each stored a full copy of the home page: anyone could fill the
    store and force an uncached render per request."""
    from digest_site.pages import store

    client.get("/")
    before = store.size()
    for n in range(20):
        assert client.get("/", {"utm_source": f"junk{n}"}).status_code == 200
    assert store.size() - before == 0


# ---------------------------------------------------------------------------------------------
# 2b. The desk for staff without editorial rights


def test_desk_shows_nothing_unpublished_to_staff_without_story_permissions(
    client, django_user_model
):
    """/admin/desk/ is wrapped in admin_view only (is_staff). A staff account with no
    editorial permission (say, someone who only manages users) reads every scheduled headline
    and the next issue's blocking drafts, which the rest of the admin would hide from them."""
    staff = django_user_model.objects.create_user("sam", password="pw", is_staff=True)
    make_story(
        "Embargoed merger story",
        status=Status.PUBLISHED,
        published_at=timezone.now() + timedelta(days=1),
        companies=[make_company()],
    )
    make_issue(stories=[make_story("Draft about layoffs")])
    client.force_login(staff)
    response = client.get("/admin/desk/")
    assert response.status_code in (403, 404) or (
        "Embargoed merger story" not in response.content.decode()
        and "Draft about layoffs" not in response.content.decode()
    )
