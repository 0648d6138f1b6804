"""RSS and Atom feeds: every issue (its stories inside), and each company's and topic's stories.

Every item comes from published(); every string passes through xml_text() because XML 1.0
cannot carry most control characters, whatever an editor pasted.

Each story names its authors: `<dc:creator>` in RSS (whose own `<author>` must be an email
address, which we do not publish) and `<author><name>`/`<uri>` in Atom, one element per author;
an issue names the authors of its stories. The feed itself names the publication, so every
Atom entry has an author, as Atom requires.
"""

import re

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape, format_html

from editorial.renditions import picture
from issues.models import Issue
from sitesettings.models import current as site_settings

from . import timeline
from .extras import attach_authors, attach_extras
from .models import Company, Story, Topic

ITEMS = 30
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value):
    """Text that any XML 1.0 parser accepts: the characters XML forbids are dropped."""
    return _NOT_XML.sub("", str(value or ""))


_DC = {"xmlns:dc": "http://purl.org/dc/elements/1.1/"}


class _RssWithAuthors(Rss201rev2Feed):
    """Django's RSS prints the first author as dc:creator; this adds the others."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _ in item.get("more_authors", ()):
            handler.addQuickElement("dc:creator", name, _DC)


class _AtomWithAuthors(Atom1Feed):
    """Django's Atom prints the first author; this adds the others, each with a name and uri."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, uri in item.get("more_authors", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", uri)
            handler.endElement("author")


class _RequestFeed(Feed):
    """A feed built per request, so that links use the host the reader asked for."""

    feed_type = _RssWithAuthors

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
        # When readers last saw it change; the feed's own <updated> is the newest of these.
        return item.content_changed_at

    def author_name(self):
        return site_settings().name

    def item_authors(self, item):
        """The item's authors, in byline order (see attach_authors)."""
        return getattr(item, "author_list", [])

    def _author_link(self, author):
        return self.absolute(author.get_absolute_url())

    def item_author_name(self, item):
        authors = self.item_authors(item)
        return authors[0].name if authors else None

    def item_author_link(self, item):
        authors = self.item_authors(item)
        return self._author_link(authors[0]) if authors else None

    def item_extra_kwargs(self, item):
        more = [(a.name, self._author_link(a)) for a in self.item_authors(item)[1:]]
        return {"more_authors": more}

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
    # The publication's name comes from the site settings (read once per page-cache epoch).
    def title(self):
        return f"{site_settings().name}: every issue"

    def description(self):
        return f"Each weekly issue of {site_settings().name}, with its stories."

    def link(self):
        return self.absolute("/")

    def items(self):
        issues = list(
            Issue.objects.published()
            .for_issue_page()
            .with_changed_at()
            .order_by("-published_at", "-number")[:ITEMS]
        )
        attach_authors([entry.story for issue in issues for entry in issue.entries.all()])
        return issues

    def item_authors(self, issue):
        """Everyone who wrote one of the issue's stories, in the order they first appear."""
        authors = {}
        for entry in issue.entries.all():
            for author in entry.story.author_list:
                authors.setdefault(author.pk, author)
        return list(authors.values())

    def item_updateddate(self, issue):
        # A correction to one of its stories changes the issue too.
        return issue.changed_at

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

    def item_enclosures(self, story):
        """The story's lead image, as its page shares it (the 1200-wide rendition), from the
        row alone."""
        lead = picture(story.image)
        if lead is None or not lead.ready or not lead.info.get("social_bytes"):
            return []
        path, _width, _height, content_type = lead.social()
        return [Enclosure(self.absolute(path), str(lead.info["social_bytes"]), content_type)]


class CompanyFeed(_StoriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Company.objects.public(), slug=slug)

    def title(self, company):
        return f"{site_settings().name}: {company.name}"

    def link(self, company):
        return self.absolute(company.get_absolute_url())

    def description(self, company):
        return f"Stories about {company.name}, its platforms and its subsidiaries."

    def items(self, company):
        family = timeline.company_family(company)
        stories = timeline.family_stories(family).for_timeline()
        return attach_authors(
            attach_extras(stories.order_by("-published_at", "-pk")[:ITEMS], sources=False)
        )


class TopicFeed(_StoriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, topic):
        return f"{site_settings().name}: {topic.name}"

    def link(self, topic):
        return self.absolute(topic.get_absolute_url())

    def description(self, topic):
        return f"Stories about {topic.name}."

    def items(self, topic):
        stories = Story.objects.published().about(topic_ids=[topic.pk]).for_timeline()
        return attach_authors(
            attach_extras(stories.order_by("-published_at", "-pk")[:ITEMS], sources=False)
        )


def _atom(feed_class):
    return type(f"{feed_class.__name__}Atom", (feed_class,), {"feed_type": _AtomWithAuthors})


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
