"""Alice the admin edits the site settings (name, tagline, logo, favicon, footer); readers see
the change on their next page, although pages and the page frame are kept per process. Erin the
editor and Rita the reviewer cannot change them."""

import io
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from sitesettings.models import SiteSettings, current
from stories.models import Status
from tests.factories import make_issue, make_story

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:sitesettings_sitesettings_add")
LIST_URL = reverse("admin:sitesettings_sitesettings_changelist")
CHANGE_URL = reverse("admin:sitesettings_sitesettings_change", args=[1])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def issue(db):
    return make_issue(
        3, stories=[make_story("A story", status=Status.PUBLISHED)], status=Status.PUBLISHED
    )


def png(size=(64, 64)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile("icon.png", buffer.getvalue(), content_type="image/png")


def settings_form(**changes):
    data = {
        "name": "The Platform Weekly",
        "tagline": "China's platforms, every Friday",
        "footer": "",
    }
    data.update(changes)
    return data


def masthead(page):
    return page.split('<header class="masthead">')[1].split("</header>")[0]


def footer(page):
    return page.split('<footer class="site-footer">')[1].split("</footer>")[0]


def test_a_fresh_database_shows_the_environments_name_and_tagline(client, issue, settings):
    page = client.get("/").content.decode()
    assert settings.SITE_NAME in masthead(page) and settings.SITE_TAGLINE in masthead(page)
    assert f"<title>Issue #3: Issue 3 — {settings.SITE_NAME}</title>" in page
    assert not SiteSettings.objects.exists()


def test_the_admins_change_shows_on_the_next_page_although_the_page_was_stored(
    client, admin_user, issue
):
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"  # stored, frame and all

    admin = type(client)()
    admin.force_login(admin_user)
    # The list goes straight to the one row: to adding it, the first time.
    assert admin.get(LIST_URL)["Location"] == ADD_URL
    response = admin.post(
        ADD_URL,
        settings_form(footer="Published by **Digest Ltd**. [Write to us](mailto:hi@example.com)"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert admin.get(LIST_URL)["Location"] == CHANGE_URL

    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    page = response.content.decode()
    assert "The Platform Weekly" in masthead(page)
    assert "China&#x27;s platforms, every Friday" in masthead(page)
    assert "<title>Issue #3: Issue 3 — The Platform Weekly</title>" in page
    assert "<strong>Digest Ltd</strong>" in footer(page)
    assert '<a href="mailto:hi@example.com"' in footer(page)
    # Another page, rendered fresh, has the new frame too (not the one kept per process).
    assert "The Platform Weekly" in masthead(client.get("/issues/").content.decode())


def test_a_second_change_shows_too(client, admin_user, issue):
    admin = type(client)()
    admin.force_login(admin_user)
    admin.post(ADD_URL, settings_form())
    assert "The Platform Weekly" in masthead(client.get("/").content.decode())
    response = admin.post(CHANGE_URL, settings_form(name="Platform Weekly, renamed"))
    assert response.status_code == 302
    assert "Platform Weekly, renamed" in masthead(client.get("/").content.decode())


def test_the_footer_is_sanitized_markdown(client, admin_user, issue):
    SiteSettings(
        footer='<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="y">'
    ).save()
    page = footer(client.get("/").content.decode())
    assert "<script" not in page and "<img" not in page and 'href="javascript' not in page
    assert "&lt;script&gt;" in page  # printed as the text it is, and no link made of it


def test_logo_and_favicon_are_uploaded_safely_and_shown(client, admin_user, issue, media):
    admin = type(client)()
    admin.force_login(admin_user)
    response = admin.post(ADD_URL, settings_form(logo=png(), favicon=png((180, 180))))
    assert response.status_code == 302, response.content.decode()[:2000]
    row = SiteSettings.objects.get()
    assert row.logo.name.startswith("site/") and row.logo.name != "site/icon.png"  # random name
    page = client.get("/").content.decode()
    assert f'<img class="masthead-logo" src="{row.logo.url}" alt="">' in masthead(page)
    assert f'<link rel="icon" href="{row.favicon.url}">' in page
    favicon = client.get("/favicon.ico")
    assert (favicon.status_code, favicon["Location"]) == (302, row.favicon.url)


def test_a_logo_that_is_not_an_image_is_refused_and_nothing_changes(client, admin_user, issue):
    admin = type(client)()
    admin.force_login(admin_user)
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = admin.post(ADD_URL, settings_form(logo=fake))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["logo"]
    assert not SiteSettings.objects.exists()


def test_without_a_favicon_the_built_in_one_is_linked_and_favicon_ico_finds_it(client, issue):
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (302, "/static/favicon.png")
    # Both ship with the static files (collectstatic finds them).
    with Image.open(finders.find("favicon.png")) as icon:
        assert (icon.format, icon.size) == ("PNG", (180, 180))
    assert Path(finders.find("favicon.svg")).read_text().startswith("<svg")


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_editors_and_reviewers_cannot_change_the_site_settings(client, request, who):
    SiteSettings(name="Before").save()
    client.force_login(request.getfixturevalue(who))
    assert client.get(LIST_URL).status_code == 403
    assert client.get(CHANGE_URL).status_code == 403
    assert client.post(CHANGE_URL, settings_form(name="Hijacked")).status_code == 403
    assert client.post(ADD_URL, settings_form(name="Hijacked")).status_code == 403
    assert SiteSettings.objects.get().name == "Before"
    assert "sitesettings" not in client.get(reverse("admin:index")).content.decode()


def test_there_is_one_row_and_it_cannot_be_deleted(client, admin_user):
    SiteSettings(name="First").save()
    SiteSettings(name="Second").save()  # saves the same row
    assert list(SiteSettings.objects.values_list("pk", "name")) == [(1, "Second")]
    client.force_login(admin_user)
    assert client.get(ADD_URL).status_code == 403  # it exists: edit it instead
    delete = reverse("admin:sitesettings_sitesettings_delete", args=[1])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert SiteSettings.objects.exists()


def test_reading_the_settings_costs_one_query_per_epoch(django_assert_num_queries, db):
    current()  # the first read in this epoch
    with django_assert_num_queries(0):
        assert current().name == current().name
    SiteSettings(name="Saved").save()  # announces a change: a new epoch
    with django_assert_num_queries(1):
        assert current().name == "Saved"
    with django_assert_num_queries(0):
        current()


def test_a_page_served_from_the_store_reads_no_settings(client, issue, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(0):
        response = client.get("/")
    assert response["X-Page-Cache"] == "hit"


def test_feeds_and_structured_data_name_the_publication_from_the_settings(client, issue):
    client.get("/feeds/issues/")
    SiteSettings(name="The Platform Weekly").save()
    feed = client.get("/feeds/issues/").content.decode()
    assert "<title>The Platform Weekly: every issue</title>" in feed
    story = issue.stories.get()
    page = client.get(story.get_absolute_url()).content.decode()
    assert '"publisher":{"@type":"Organization","name":"The Platform Weekly"}' in page
