"""Editors propose companies and platforms; a reviewer approves them. Until then a proposal can
be tagged on drafts but shows on no public page, and a story naming it cannot be published."""

import pytest
from django.urls import reverse

from companies.models import Company, Platform
from editorial import workflow
from editorial.workflow import WorkflowError
from stories.models import Status
from tests.adminform import form_data
from tests.factories import make_company, make_platform, make_story, make_topic

pytestmark = pytest.mark.django_db

COMPANY_ADD = "/admin/companies/company/add/"
PLATFORM_ADD = "/admin/companies/platform/add/"


def propose_company(client, name, slug, **extra):
    return client.post(COMPANY_ADD, {"name": name, "slug": slug, "aliases": "", **extra})


def approve(client, model, *objs):
    url = reverse(f"admin:companies_{model._meta.model_name}_changelist")
    return client.post(
        url,
        {"action": "approve_selected", "_selected_action": [str(obj.pk) for obj in objs]},
        follow=True,
    )


@pytest.fixture
def newsroom(db):
    """Alibaba is public with a published story; Erin proposes Duxiaoxiao Ltd (a subsidiary)
    and its platform Duxiaoxiao."""
    alibaba = make_company("Alibaba Group", slug="alibaba-group", aliases=["BABA"])
    make_story("Alibaba reports growth", status=Status.PUBLISHED, companies=[alibaba])
    return alibaba


def test_what_an_editor_adds_is_a_proposal_awaiting_approval(client, editor, newsroom):
    client.force_login(editor)
    response = propose_company(client, "Duxiaoxiao Ltd", "duxiaoxiao-ltd", parent=newsroom.pk)
    assert response.status_code == 302
    company = Company.objects.get(slug="duxiaoxiao-ltd")
    assert company.approved is False
    page = client.get(reverse("admin:companies_company_change", args=[company.pk]))
    assert "Awaiting a reviewer&#x27;s approval" in page.content.decode()


def test_editors_can_propose_from_the_story_form(client, editor):
    client.force_login(editor)
    page = client.get("/admin/stories/story/add/").content.decode()
    # The + beside the companies and platforms boxes opens the add form in a popup.
    assert 'id="add_id_companies"' in page
    assert "/admin/companies/company/add/?_to_field=id&amp;_popup=1" in page
    assert 'id="add_id_platforms"' in page


def test_what_a_reviewer_adds_is_public_at_once(client, reviewer):
    client.force_login(reviewer)
    propose_company(client, "Vipshop", "vipshop")
    assert Company.objects.get(slug="vipshop").approved is True


def test_a_proposal_shows_on_no_public_page(client, editor, newsroom):
    client.force_login(editor)
    propose_company(client, "Duxiaoxiao Ltd", "duxiaoxiao-ltd", parent=newsroom.pk, aliases="DXX")
    pending = Company.objects.get(slug="duxiaoxiao-ltd")
    client.post(
        PLATFORM_ADD,
        {"name": "Duxiaoxiao", "slug": "duxiaoxiao", "owner": newsroom.pk, "kind": "chatbot"},
    )
    assert Platform.objects.get(slug="duxiaoxiao").approved is False
    # A draft may name them.
    make_story("Duxiaoxiao draft", companies=[pending], body="Duxiaoxiao Ltd launches")
    client.logout()
    for url in (
        "/companies/",
        "/companies/alibaba-group/",
        "/search/?q=DXX",  # its alias: the page repeats the query, never the name
        "/sitemap.xml",
        "/feeds/companies/alibaba-group/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Duxiaoxiao" not in response.content.decode(), url
        assert "duxiaoxiao" not in response.content.decode(), url
    for url in (
        "/companies/duxiaoxiao-ltd/",
        "/platforms/duxiaoxiao/",
        "/feeds/companies/duxiaoxiao-ltd/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_story_naming_a_proposal_cannot_be_published(reviewer, newsroom):
    pending = make_company("Duxiaoxiao Ltd", slug="duxiaoxiao-ltd", approved=False)
    app = make_platform("Duxiaoxiao", slug="duxiaoxiao", owner=newsroom, approved=False)
    story = make_story(status=Status.IN_REVIEW, companies=[newsroom, pending], platforms=[app])
    with pytest.raises(WorkflowError) as refused:
        workflow.publish(story, by=reviewer)
    assert "“Duxiaoxiao”, “Duxiaoxiao Ltd”, proposed but not yet approved" in str(refused.value)
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW


def test_a_reviewer_approves_and_the_proposal_is_public(client, reviewer, newsroom):
    pending = make_company("Duxiaoxiao Ltd", slug="duxiaoxiao-ltd", approved=False)
    story = make_story(status=Status.IN_REVIEW, companies=[pending])
    assert client.get("/companies/").content.decode().count("Duxiaoxiao") == 0  # now stored
    client.force_login(reviewer)
    page = approve(client, Company, pending).content.decode()
    assert "Approved 1; now public." in page
    pending.refresh_from_db()
    assert pending.approved is True
    client.logout()
    assert client.get("/companies/duxiaoxiao-ltd/").status_code == 200
    workflow.publish(story, by=reviewer)
    assert story.is_published
    # The stored index page was dropped at once; the index lists companies with stories.
    assert "Duxiaoxiao Ltd" in client.get("/companies/").content.decode()


def test_editors_cannot_approve(client, editor):
    pending = make_company("Duxiaoxiao Ltd", slug="duxiaoxiao-ltd", approved=False)
    client.force_login(editor)
    page = client.get(reverse("admin:companies_company_changelist")).content.decode()
    assert "approve_selected" not in page
    approve(client, Company, pending)
    pending.refresh_from_db()
    assert pending.approved is False


def test_a_platform_waits_for_its_owner_to_be_approved(client, reviewer):
    owner = make_company("New Owner", slug="new-owner", approved=False)
    app = make_platform("New App", slug="new-app", owner=owner, approved=False)
    client.force_login(reviewer)
    page = approve(client, Platform, app).content.decode()
    assert "its owner “New Owner” awaits approval too: approve that first" in page
    app.refresh_from_db()
    assert app.approved is False
    approve(client, Company, owner)
    approve(client, Platform, app)
    app.refresh_from_db()
    assert app.approved is True


def test_editors_edit_an_unused_proposal_but_not_names_in_public_use(client, editor, newsroom):
    pending = make_company("Duxiaoxiao Ltdd", slug="duxiaoxiao-ltdd", approved=False)
    client.force_login(editor)
    url = reverse("admin:companies_company_change", args=[pending.pk])
    data = form_data(client.get(url), name="Duxiaoxiao Ltd", slug="duxiaoxiao-ltd")
    assert client.post(url, data).status_code == 302
    pending.refresh_from_db()
    assert (pending.name, pending.approved) == ("Duxiaoxiao Ltd", False)
    page = client.get(reverse("admin:companies_company_change", args=[newsroom.pk]))
    assert 'name="name"' not in page.content.decode()


def test_topics_need_no_approval(client, editor):
    make_topic("Climate", slug="climate")
    client.force_login(editor)
    client.post("/admin/companies/topic/add/", {"name": "Live streaming", "slug": "live"})
    assert client.get("/topics/live/").status_code == 200


def test_an_issue_holding_such_a_story_is_refused_too(reviewer, newsroom):
    from tests.factories import make_issue

    pending = make_company("Duxiaoxiao Ltd", slug="duxiaoxiao-ltd", approved=False)
    ready = make_story(status=Status.IN_REVIEW, companies=[newsroom])
    naming = make_story("Names a proposal", status=Status.IN_REVIEW, companies=[pending])
    issue = make_issue(stories=[ready, naming], status=Status.IN_REVIEW)
    with pytest.raises(WorkflowError) as refused:
        workflow.publish(issue, by=reviewer)
    assert "“Names a proposal”: it names “Duxiaoxiao Ltd”, proposed but not yet" in str(
        refused.value
    )
    ready.refresh_from_db()
    assert ready.status == Status.IN_REVIEW


def test_indexes_leave_out_proposals_even_when_a_published_story_names_them(client, newsroom):
    # Publishing refuses such a story; rows written another way (a restore, a bulk edit) must
    # still not put a proposal on the indexes.
    pending = make_company("Duxiaoxiao Ltd", slug="duxiaoxiao-ltd", approved=False)
    app = make_platform("Duxiaoxiao", slug="duxiaoxiao", owner=newsroom, approved=False)
    make_story(
        "Tagged by hand", status=Status.PUBLISHED, companies=[newsroom, pending], platforms=[app]
    )
    for url in ("/companies/", "/platforms/"):
        page = client.get(url).content.decode()
        assert "Duxiaoxiao" not in page, url
    assert "Alibaba Group" in client.get("/companies/").content.decode()


def test_search_never_offers_a_proposal_as_did_you_mean(client, newsroom):
    make_company("Duxiaoxiao Ltd", slug="duxiaoxiao-ltd", approved=False)
    page = client.get("/search/", {"q": "duxiaoxiaoo"}).content.decode()
    assert "Duxiaoxiao Ltd" not in page
    assert "Did you mean" in client.get("/search/", {"q": "alibabba"}).content.decode()
