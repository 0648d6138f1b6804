"""Editors write Markdown; readers get sanitized HTML that cannot run script."""

import re

import pytest

from stories.markdown import render_markdown
from tests.factories import make_story


def test_markdown_is_rendered():
    html = render_markdown("Some **bold** news with [a link](https://example.com/a).")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.com/a"' in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="javascript:alert(1)">x</a>',
    ],
)
def test_script_never_survives(text):
    html = render_markdown(text).lower()
    # Raw HTML is shown as text (escaped), never as markup.
    assert "<script" not in html
    assert "<img" not in html
    assert not re.search(r"<a\s[^>]*href=\"(javascript|data)", html)


def test_mailto_links_are_kept():
    assert 'href="mailto:tips@example.com"' in render_markdown("[tips](mailto:tips@example.com)")


@pytest.mark.django_db
def test_body_html_is_stored_on_save():
    story = make_story(body="First *paragraph*.")
    assert story.body_html == "<p>First <em>paragraph</em>.</p>\n"
    story.body = "Changed."
    story.save(update_fields=["body"])
    story.refresh_from_db()
    assert story.body_html == "<p>Changed.</p>\n"
