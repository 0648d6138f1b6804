"""Admin lists cost the same number of queries whatever they show (no query per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stories.models import Status
from tests.factories import make_company, make_issue, make_story

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("url", "make_one"),
    [
        (
            "admin:stories_story_changelist",
            lambda editor: make_story(author=editor, companies=[make_company(), make_company()]),
        ),
        (
            "admin:issues_issue_changelist",
            lambda editor: make_issue(stories=[make_story(status=Status.IN_REVIEW)]),
        ),
        ("admin:companies_company_changelist", lambda editor: make_company(parent=make_company())),
    ],
)
def test_admin_list_query_count_does_not_grow_with_rows(client, editor, url, make_one):
    client.force_login(editor)
    for _ in range(2):
        make_one(editor)
    # Each count after a first visit: what a process keeps per page-cache epoch (the site
    # settings) is read again by the first page after a change announced to readers.
    _queries(client, reverse(url))
    few = _queries(client, reverse(url))
    for _ in range(10):
        make_one(editor)
    _queries(client, reverse(url))
    assert _queries(client, reverse(url)) == few
