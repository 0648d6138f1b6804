"""Proposing a missing company from a story's form in a real browser, and a reviewer's approval."""

import pytest

from companies.models import Company
from tests.roles import ensure_roles

from .test_editorial_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def roles(transactional_db):
    ensure_roles()


def test_an_editor_proposes_a_company_from_the_story_form_and_a_reviewer_approves_it(
    browser, live_server, screenshot_dir, editor, reviewer
):
    erin = log_in(browser, live_server, "erin")
    erin.goto(f"{live_server.url}/admin/stories/story/add/")
    with erin.expect_popup() as opened:
        erin.click("#add_id_companies")
    popup = opened.value
    popup.fill("#id_name", "Duxiaoxiao Ltd")
    popup.locator("#id_name").blur()
    assert popup.input_value("#id_slug") == "duxiaoxiao-ltd"
    popup.click("input[name=_save]")
    popup.wait_for_event("close")
    # The new company is chosen in the story's companies box.
    erin.wait_for_selector(".field-companies .select2-selection__choice:has-text('Duxiaoxiao')")
    erin.screenshot(path=str(screenshot_dir / "propose-company.png"), full_page=True)
    company = Company.objects.get(slug="duxiaoxiao-ltd")
    assert company.approved is False

    anonymous = browser.new_page()
    assert anonymous.goto(f"{live_server.url}/companies/duxiaoxiao-ltd/").status == 404

    rita = log_in(browser, live_server, "rita")
    rita.goto(f"{live_server.url}/admin/companies/company/?approved__exact=0")
    rita.check(f"input[name=_selected_action][value='{company.pk}']")
    rita.select_option("select[name=action]", "approve_selected")
    rita.click("button[name=index]")
    rita.wait_for_selector("text=Approved 1; now public.")
    company.refresh_from_db()
    assert company.approved is True
    assert anonymous.goto(f"{live_server.url}/companies/duxiaoxiao-ltd/").status == 200
