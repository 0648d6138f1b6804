"""Every response carries a Content-Security-Policy that allows no inline script, and a
Permissions-Policy: public pages (rendered and from the page cache), the admin, error pages."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _script_src(response):
    policy = response["Content-Security-Policy"]
    directives = dict(
        part.strip().split(" ", 1) for part in policy.split(";") if part.strip() and " " in part
    )
    return directives["script-src"], policy


def _check(response):
    script_src, policy = _script_src(response)
    assert script_src == "'self'"
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "camera=()" in response["Permissions-Policy"]


def test_public_pages_carry_the_policy_rendered_and_from_the_page_cache(client, newsroom):
    first = client.get("/issues/7/")
    hit = client.get("/issues/7/")
    assert hit["X-Page-Cache"] == "hit"
    for response in (first, hit, client.get("/no-such-page/"), client.get("/search/?q=x")):
        _check(response)


def test_the_admin_carries_the_policy(client, editor, newsroom):
    client.force_login(editor)
    _check(client.get(reverse("admin:stories_story_change", args=[newsroom.eu.pk])))
    _check(client.get(reverse("admin:login")))
