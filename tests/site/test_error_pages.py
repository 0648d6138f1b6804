"""Custom 404 and 500 pages in the site's design (DEBUG is False in tests)."""

import pytest

pytestmark = pytest.mark.django_db


def test_404_page_is_in_the_site_design_and_helps(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert 'class="masthead"' in page and 'href="/issues/"' in page
    assert 'role="search"' in page


def test_500_page_is_in_the_site_design(client, settings):
    settings.ROOT_URLCONF = "tests.site.boom_urls"
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>Something went wrong</h1>" in page
    assert 'class="masthead"' in page
    assert "deliberate failure" not in page


def test_500_page_needs_no_collected_static_files(client, settings, tmp_path):
    """Production keeps hashed static names in a manifest written by collectstatic; without
    it every {% static %} raises. The error page must still answer."""
    settings.ROOT_URLCONF = "tests.site.boom_urls"
    settings.STATIC_ROOT = str(tmp_path)  # nothing collected there
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.content.decode()
