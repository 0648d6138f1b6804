"""RSS and Atom feeds: every issue (its stories inside), and each company's and topic's stories.

Every item comes from published(); every string passes through xml_text() because XML 1.0
cannot carry most control characters, whatever an editor pasted.
"""

import re

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, format_html

from issues.models import Issue

from . import timeline
from .extras import attach_extras
from .models import Company, Story, Topic

ITEMS = 30
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value):
    """Text that any XML 1.0 parser accepts: the characters XML forbids are dropped."""
    return _NOT_XML.sub("", str(value or ""))


class _RequestFeed(Feed):
    """A feed built per request, so that links use the host the reader asked for."""

    feed_type = Rss201rev2Feed

    def __init__(self, request):
        super().__init__()
        self.request = request

    def absolute(self, path):
        return self.request.build_absolute_uri(path)

    def feed_url(self, obj=None):
        return self.absolute(self.request.path)

    def item_link(self, item):
        return self.absolute(item.get_absolute_url())

    def item_guid(self, item):
        return self.item_link(item)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Clean what the base class copied from our hooks (titles, descriptions, categories).
        feed.feed = {k: _clean(v) for k, v in feed.feed.items()}
        for item in feed.items:
            for key, value in list(item.items()):
                item[key] = _clean(value)
        return feed


def _clean(value):
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, list | tuple):
        return type(value)(_clean(v) for v in value)
    return value


class IssuesFeed(_RequestFeed):
    title = "Digest: every issue"
    description = "Each weekly issue of Digest, with its stories."

    def link(self):
        return self.absolute("/")

    def items(self):
        return (
            Issue.objects.published().for_issue_page().order_by("-published_at", "-number")[:ITEMS]
        )

    def item_title(self, issue):
        return f"Issue #{issue.number}: {issue.title}"

    def item_description(self, issue):
        parts = [issue.intro_html, "<ol>"]
        for entry in issue.entries.all():
            story = entry.story
            parts.append(
                format_html(
                    '<li><a href="{}">{}</a><p>{}</p></li>',
                    self.absolute(story.get_absolute_url()),
                    story.headline,
                    story.summary,
                )
            )
        parts += ["</ol>", issue.wrapup_html]
        return "".join(parts)


class _StoriesFeed(_RequestFeed):
    def item_title(self, story):
        return story.headline

    def item_description(self, story):
        return escape(story.summary)

    def item_categories(self, story):
        return [c.name for c in story.company_list] + [p.name for p in story.platform_list]


class CompanyFeed(_StoriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Company.objects.public(), slug=slug)

    def title(self, company):
        return f"Digest: {company.name}"

    def link(self, company):
        return self.absolute(company.get_absolute_url())

    def description(self, company):
        return f"Stories about {company.name}, its platforms and its subsidiaries."

    def items(self, company):
        family = timeline.company_family(company)
        stories = timeline.family_stories(family).for_timeline()
        return attach_extras(stories.order_by("-published_at", "-pk")[:ITEMS], sources=False)


class TopicFeed(_StoriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, topic):
        return f"Digest: {topic.name}"

    def link(self, topic):
        return self.absolute(topic.get_absolute_url())

    def description(self, topic):
        return f"Stories about {topic.name}."

    def items(self, topic):
        stories = Story.objects.published().about(topic_ids=[topic.pk]).for_timeline()
        return attach_extras(stories.order_by("-published_at", "-pk")[:ITEMS], sources=False)


def _atom(feed_class):
    return type(f"{feed_class.__name__}Atom", (feed_class,), {"feed_type": Atom1Feed})


def _view(feed_class):
    def view(request, *args, **kwargs):
        return feed_class(request)(request, *args, **kwargs)

    return view


issues_rss = _view(IssuesFeed)
issues_atom = _view(_atom(IssuesFeed))
company_rss = _view(CompanyFeed)
company_atom = _view(_atom(CompanyFeed))
topic_rss = _view(TopicFeed)
topic_atom = _view(_atom(TopicFeed))
