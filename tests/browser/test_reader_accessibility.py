"""axe-core (from npm, see package.json) finds no serious or critical problem on any page kind,
in the light and the dark scheme, at phone and desktop widths."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from stories import demo_images
from tests.site import conftest as site_fixtures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The public-site newsroom and its clean page cache, shared with tests/site.
newsroom = site_fixtures.newsroom
_fresh_page_cache = site_fixtures._fresh_page_cache

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

PAGES = [
    "/",
    "/issues/",
    "/issues/7/",
    "/issues/6/",
    "/stories/eu-investigates-tiktok/",
    "/companies/",
    "/companies/alibaba-group/",
    "/platforms/",
    "/topics/",
    "/platforms/taobao/",
    "/topics/e-commerce/",
    "/authors/",
    "/authors/staff-writer/",
    "/search/?q=阿里巴巴",
    "/search/?q=alibabba",
    "/search/?q=qwrtzplkjhgf",
    "/search/",
    "/newsletter/",
    "/no-such-page/",
]


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does).")
    return AXE


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [360, 1280])
def test_no_serious_accessibility_violations(
    browser, live_server, newsroom, axe_source, scheme, width
):
    # A lead image on the story, its issue and timelines: the picture, caption and thumbnails.
    story = newsroom.eu
    story.image_alt = "Six horizontal bars, longest at the top; the shortest is red."
    story.image_caption = "A picture drawn for the test."
    story.image_credit = "Illustration: Digest"
    story.image.save("lead.png", ContentFile(demo_images.ranking_bars()))
    # bypass_csp: axe-core is injected by this test, not served by the site, and the site's
    # policy rightly refuses scripts it did not serve.
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    problems = []
    for path in PAGES:
        page.goto(live_server.url + path)
        page.add_script_tag(path=str(axe_source))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"][:3]]
                problems.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")
        assert page.locator("h1").count() == 1, path
        assert page.locator("main").count() == 1, path
    context.close()
    assert problems == []
