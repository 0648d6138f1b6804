"""The server-side page cache and HTTP validators never show stale or private content."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from digest_site.pages import epochs, store
from editorial import revisions, workflow
from issues.models import Issue
from issues.views import render_issue_page
from stories.models import Status, Story
from stories.views import render_story_page
from tests.factories import make_story

pytestmark = pytest.mark.django_db


def get(client, url="/issues/7/", **headers):
    response = client.get(url, headers=headers)
    assert response.status_code in (200, 304), response.status_code
    return response


def test_second_anonymous_request_is_served_from_the_cache(client, newsroom):
    assert get(client)["X-Page-Cache"] == "miss"
    hit = get(client)
    assert hit["X-Page-Cache"] == "hit"
    assert "Singles&#x27; Day growth" in hit.content.decode()
    assert "public" in hit["Cache-Control"] and "max-age=" in hit["Cache-Control"]


def test_an_edit_is_seen_on_the_next_request(client, newsroom):
    get(client)
    get(client)
    story = newsroom.singles
    story.headline = "Alibaba revises its Singles' Day numbers"
    story.save(update_fields=["headline"])
    page = get(client).content.decode()
    assert "Alibaba revises its Singles&#x27; Day numbers" in page


def test_unpublishing_removes_the_story_on_the_next_request(client, newsroom):
    get(client, newsroom.eu.get_absolute_url())
    get(client)
    story = newsroom.eu
    story.status = Status.DRAFT
    story.published_at = None
    story.save(update_fields=["status", "published_at"])
    assert "EU investigates TikTok" not in get(client).content.decode()
    assert client.get(newsroom.eu.get_absolute_url()).status_code == 404


def test_publishing_shows_the_story_on_the_next_request(client, newsroom):
    get(client)
    draft = newsroom.hidden["draft"]
    # The workflow saves with update_fields, like this:
    draft.status = Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.save(update_fields=["status", "published_at"])
    assert draft.headline in get(client).content.decode()


def test_changing_a_company_name_refreshes_pages_that_show_it(client, newsroom):
    get(client)
    newsroom.alibaba.name = "Alibaba Holdings"
    newsroom.alibaba.save()
    assert "Alibaba Holdings" in get(client).content.decode()


def test_scheduled_story_appears_on_time_even_with_a_long_cache(client, newsroom, settings):
    settings.DIGEST_PAGE_CACHE_SECONDS = 3600
    soon = timezone.now() + timedelta(minutes=2)
    scheduled = newsroom.hidden["scheduled"]
    scheduled.published_at = soon
    scheduled.save(update_fields=["published_at"])
    with time_machine.travel(soon - timedelta(minutes=1), tick=False):
        get(client)
        assert get(client)["X-Page-Cache"] == "hit"
        assert scheduled.headline not in get(client).content.decode()
    with time_machine.travel(soon + timedelta(seconds=1), tick=False):
        page = get(client)
        assert page["X-Page-Cache"] == "miss"
        assert scheduled.headline in page.content.decode()
        assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_scheduled_issue_becomes_the_home_page_on_time(client, newsroom):
    soon = timezone.now() + timedelta(minutes=5)
    Issue.objects.create(number=9, title="Next week", status=Status.PUBLISHED, published_at=soon)
    with time_machine.travel(soon - timedelta(seconds=5), tick=False):
        assert "Issue #7" in get(client, "/").content.decode()
        get(client, "/")
    with time_machine.travel(soon + timedelta(seconds=5), tick=False):
        assert "Issue #9" in get(client, "/").content.decode()


def test_etag_answers_304(client, newsroom):
    first = get(client)
    etag = first["ETag"]
    assert etag.startswith('"')
    again = client.get("/issues/7/", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_if_modified_since_alone_never_answers_304(client, newsroom):
    """Processes learn of a change at slightly different moments and a date has one-second
    resolution: only the ETag, a hash of the bytes, can say "unchanged" truthfully."""
    first = get(client)
    assert "Last-Modified" not in first
    again = client.get("/issues/7/", headers={"if-modified-since": "Tue, 01 Jan 2036 00:00:00 GMT"})
    assert again.status_code == 200


def test_a_stale_etag_gets_the_new_page(client, newsroom):
    etag = get(client)["ETag"]
    newsroom.issue.title = "A better title"
    newsroom.issue.save()
    response = client.get("/issues/7/", headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "A better title" in response.content.decode()


def test_logged_in_staff_get_fresh_pages_that_are_never_stored(client, newsroom, editor):
    client.force_login(editor)
    staff = get(client)
    assert "X-Page-Cache" not in staff
    assert staff["Cache-Control"] == "private, no-cache"
    assert "Issue #7" in staff.content.decode()
    client.logout()
    assert get(client)["X-Page-Cache"] == "miss"  # nothing was stored for the editor


def test_logged_in_reader_sees_what_anonymous_readers_see(client, newsroom, reader):
    anonymous = get(client).content
    client.force_login(reader)
    assert get(client).content == anonymous


def test_previews_are_never_cached_or_indexed(newsroom, editor):
    request = RequestFactory().get("/preview/")
    request.user = editor
    draft = newsroom.hidden["draft"]
    story = Story.objects.for_story_page().get(pk=draft.pk)
    response = render_story_page(request, story, preview=True)
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert "Preview — not published" in response.content.decode()
    issue = Issue.objects.for_issue_page(stories=Story.objects.all()).get(pk=newsroom.issue.pk)
    response = render_issue_page(request, issue, preview=True)
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert draft.headline in body and "Preview — not published" in body


def test_preview_of_an_unpublished_story_outside_any_issue_renders(db, editor):
    story = make_story("Lonely draft")
    request = RequestFactory().get("/preview/")
    request.user = editor
    response = render_story_page(
        request, Story.objects.for_story_page().get(pk=story.pk), preview=True
    )
    assert response.status_code == 200
    assert "Lonely draft" in response.content.decode()
    draft_issue = Issue.objects.create(number=55, title="Draft issue")
    draft_issue = Issue.objects.for_issue_page(stories=Story.objects.all()).get(pk=draft_issue.pk)
    assert render_issue_page(request, draft_issue, preview=True).status_code == 200


def test_preview_of_a_story_in_a_draft_issue_does_not_reveal_other_drafts(newsroom, editor):
    request = RequestFactory().get("/share/x/")
    request.user = editor
    draft = Story.objects.for_story_page().get(pk=newsroom.hidden["draft"].pk)
    body = render_story_page(request, draft, preview=True).content.decode()
    # It sits between public stories 1 and 2 of issue 7; the other hidden ones stay hidden.
    assert "Ran in Issue #7, story 2" in body
    assert newsroom.hidden["in_review"].headline not in body
    assert newsroom.hidden["scheduled"].headline not in body


def test_post_requests_are_never_served_from_the_cache(client, newsroom):
    get(client)
    response = client.post("/issues/7/")
    assert "X-Page-Cache" not in response


def test_unknown_query_parameters_share_the_page_s_cache_entry(client, newsroom):
    get(client, "/")
    tracked = get(client, "/?utm_source=newsletter&fbclid=x")
    assert tracked["X-Page-Cache"] == "hit"


def test_parameters_the_view_reads_get_their_own_entry(client, newsroom):
    get(client, "/companies/alibaba-group/")
    direct = get(client, "/companies/alibaba-group/?direct=1")
    assert direct["X-Page-Cache"] == "miss"
    assert "Taobao adds an AI shopping assistant" not in direct.content.decode()


def test_cache_hits_keep_the_noindex_header_of_search(client, newsroom):
    get(client, "/search/")
    hit = get(client, "/search/")
    assert hit["X-Page-Cache"] == "hit" and hit["X-Robots-Tag"] == "noindex"


def test_search_results_for_a_query_are_never_stored(client, newsroom):
    before = store.size()
    for word in ("Alibaba", "Alibaba", "TikTok"):
        response = get(client, f"/search/?q={word}")
        assert response["X-Page-Cache"] == "pass"
        assert "public" in response["Cache-Control"]  # browsers may still keep their copy
    assert store.size() == before


def test_stored_pages_are_answered_before_sessions_and_csrf(client, newsroom):
    get(client)
    hit = get(client)
    assert hit["X-Page-Cache"] == "hit"
    # The session and authentication middleware never saw the request: the page cache's
    # middleware answered first (the view's decorator alone would answer after them).
    assert not hasattr(hit.wsgi_request, "session")
    assert not hasattr(hit.wsgi_request, "user")
    assert hit["X-Frame-Options"] == "DENY"
    assert "csrftoken" not in hit.cookies and "sessionid" not in hit.cookies


def test_a_session_cookie_always_goes_to_the_view(client, newsroom, editor):
    get(client)
    client.force_login(editor)
    response = get(client)
    assert "X-Page-Cache" not in response
    assert response["Cache-Control"] == "private, no-cache"


def test_saving_a_draft_keeps_the_stored_pages(client, newsroom):
    get(client)
    draft = newsroom.hidden["draft"]
    draft.headline = "Still only a draft"
    draft.save()
    assert get(client)["X-Page-Cache"] == "hit"


def test_changes_waiting_on_a_published_story_keep_the_stored_pages(client, newsroom, editor):
    get(client)
    story = Story.objects.get(pk=newsroom.singles.pk)
    content = revisions.serialize(story)
    content["fields"]["headline"] = "A headline still in review"
    workflow.keep_revision(story, by=editor, content=content)
    workflow.submit(story, by=editor)
    hit = get(client)
    assert hit["X-Page-Cache"] == "hit"
    assert "A headline still in review" not in hit.content.decode()


def test_deleting_a_published_story_loaded_as_a_draft_still_empties_the_store(client, db):
    # No sources, tags or issue: the story's own row is all that announces the change.
    story = make_story("Short-lived", status=Status.PUBLISHED, sources=0)
    url = story.get_absolute_url()
    get(client, url)
    assert get(client, url)["X-Page-Cache"] == "hit"
    stale = Story.objects.get(pk=story.pk)
    stale.status = Status.DRAFT  # an out-of-date copy: the row itself is published
    stale.delete()
    assert client.get(url).status_code == 404


def test_the_store_keeps_at_most_the_configured_number_of_pages(client, newsroom, settings):
    settings.DIGEST_PAGE_CACHE_ENTRIES = 2
    for url in ("/", "/issues/", "/issues/7/"):
        get(client, url)
    assert store.size() == 2
    assert get(client, "/issues/7/")["X-Page-Cache"] == "hit"
    assert get(client, "/")["X-Page-Cache"] == "miss"  # the oldest went first


def test_with_the_cache_off_nothing_is_stored_or_looked_up(client, newsroom, settings):
    settings.DIGEST_PAGE_CACHE_SECONDS = 0
    first, second = get(client), get(client)
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second
    assert store.size() == 0
    assert client.get("/issues/7/", headers={"if-none-match": first["ETag"]}).status_code == 304


def _listener_epoch_after(old, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = epochs.current(time.time())
        if state is not None and state.epoch != old:
            return state.epoch
        time.sleep(0.05)
    raise AssertionError("the page cache's listener did not come back")


def test_no_page_stored_before_the_listener_lost_postgresql_is_served_after(client, newsroom):
    """Notifications sent while the listening connection was down are lost; so are the pages
    stored before, whatever happened meanwhile."""
    get(client)
    assert get(client)["X-Page-Cache"] == "hit"
    old = epochs.current(time.time()).epoch
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [epochs.LISTENER_NAME],
        )
        assert cursor.fetchone() == (True,)
    _listener_epoch_after(old)
    assert get(client)["X-Page-Cache"] == "miss"
