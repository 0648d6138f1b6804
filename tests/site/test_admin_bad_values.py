"""Nothing an editor can type (or craft) into an admin form answers 500: malformed ids in the
autocomplete boxes get a form error, and nothing is saved."""

import pytest

from stories.models import Story
from tests.adminform import change_url, form_data
from tests.factories import make_company, make_issue, make_story

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "field, value",
    [("topics", "abc"), ("companies", ["x", "1.5"]), ("platforms", "%00"), ("topics", "-1")],
)
def test_a_malformed_tag_id_is_a_form_error_not_a_500(client, editor, field, value):
    story = make_story("Before", author=editor, companies=[make_company()])
    client.force_login(editor)
    data = form_data(client.get(change_url(story)), headline="After", **{field: value})
    response = client.post(change_url(story), data)
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert Story.objects.get(pk=story.pk).headline == "Before"


def test_a_malformed_story_id_in_an_issue_is_a_form_error_not_a_500(client, editor):
    issue = make_issue(stories=[make_story(author=editor)], title="Before")
    client.force_login(editor)
    data = form_data(client.get(change_url(issue)), title="After")
    data["entries-0-story"] = "abc"
    response = client.post(change_url(issue), data)
    assert response.status_code == 200
    issue.refresh_from_db()
    assert issue.title == "Before"


def test_a_malformed_parent_company_is_a_form_error_not_a_500(client, admin_user):
    company = make_company("Taobao")
    client.force_login(admin_user)
    data = form_data(client.get(change_url(company)), parent="abc")
    response = client.post(change_url(company), data)
    assert response.status_code == 200
    company.refresh_from_db()
    assert company.parent is None
