"""Stored fragments: an issue's numbered stories as readers see them, re-rendered whenever
anything they print changes.

A reader's issue page prints the issue's contents: its number, date, title and intro, the
table of contents and each public story, numbered 1..N, with its stored block
(stories.fragments), and the wrap-up. They are stored on the issue (`Issue.contents_html`, with
each shown story's headline and address in `stories_shown` for the page's meta tags) and
re-rendered in the same transaction as any change to:

- the issue (any save: publishing and unpublishing write it) or its entries (added, removed,
  moved; deleting a story deletes its entry first);
- a story in it: its block (`stories.fragments.blocks_stored`: its text, sources, tags, a tag's
  name or address), its headline or address, its state (which stories are public).

Time is the one change that writes nothing: a story scheduled inside an issue goes public at its
`published_at`. So the contents are rendered as readers will see them once the issue itself is
public, and are valid only until the next scheduled story of the issue goes public
(`stories_until`); after that the page assembles them from the stories' blocks (one more query)
until the next write re-renders them. Readers reach it only through the issue's published() gate; previews render
their own.
"""

from types import SimpleNamespace

from django.db.models import Min
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string
from django.utils import timezone

from stories.fragments import blocks_for_page, blocks_stored
from stories.models import Story

from .models import Issue, IssueStory

TEMPLATE = "issues/blocks/contents.html"
# Story columns that decide whether or how it shows in an issue, besides its block.
_SHOWN_FIELDS = {"headline", "slug", "status", "published_at"}
_BLOCK_FIELDS = {"summary", "body", "body_html"}  # stories.fragments stores the block first
CONTENTS_FROM = (
    "number",
    "title",
    "published_at",
    "intro_html",
    "wrapup_html",
    "wrapup_heading",
    "report_title",
    "report_url",
)


def reader_entries(issue, now):
    """The issue's stories a reader sees at `now`, in print order, with their blocks, as
    entries for the template (1 query; 2 more if a row has no stored block)."""
    stories = Story.objects.published(now=now).in_issue(issue.pk).for_issue_blocks()
    return [SimpleNamespace(story=story) for story in blocks_for_page(list(stories))]


def render_contents(issue, entries):
    """The issue's contents (number, date, title, intro, numbered stories, wrap-up) with
    `entries` (each with a `.story` carrying headline, address and block) as its stories."""
    day = timezone.localtime(issue.published_at).date() if issue.published_at else None
    return render_to_string(TEMPLATE, {"issue": issue, "day": day, "entries": entries})


def shown(entries):
    return [[entry.story.headline, entry.story.get_absolute_url()] for entry in entries]


def store_stories(issue_ids):
    """Render and store the contents of these issues: the issues, then per issue its stories
    and the next scheduled one (2 queries) and one UPDATE."""
    now = timezone.now()
    issues = Issue.objects.filter(pk__in=set(issue_ids)).only(*CONTENTS_FROM)
    for issue in issues:
        # Before a scheduled issue goes public nobody reads it: render it as it will read then.
        at = max(now, issue.published_at) if issue.published_at else now
        entries = reader_entries(issue, at)
        until = (
            Story.objects.scheduled(now=at)
            .filter(issue_entries__issue_id=issue.pk)
            .aggregate(first=Min("published_at"))["first"]
        )
        Issue.objects.filter(pk=issue.pk).update(
            contents_html=render_contents(issue, entries),
            stories_shown=shown(entries),
            stories_until=until,
        )


def _issues_of(story_ids):
    return IssueStory.objects.filter(story_id__in=list(story_ids)).values_list(
        "issue_id", flat=True
    )


# --- Upkeep ----------------------------------------------------------------------------------


def _issue_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        store_stories([instance.pk])


def _entry_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        store_stories([instance.issue_id])


def _story_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or update_fields is None or _BLOCK_FIELDS & set(update_fields):
        return  # stories.fragments stores the block, then sends blocks_stored
    if _SHOWN_FIELDS & set(update_fields):
        store_stories(_issues_of([instance.pk]))


def _blocks_stored(sender, story_ids, **kwargs):
    store_stories(_issues_of(story_ids))


def connect_signals():
    post_save.connect(_issue_saved, sender=Issue, dispatch_uid="stories_part_issue_saved")
    for signal in (post_save, post_delete):
        signal.connect(_entry_changed, sender=IssueStory, dispatch_uid=f"stories_part_{signal}")
    post_save.connect(_story_saved, sender=Story, dispatch_uid="stories_part_story_saved")
    blocks_stored.connect(_blocks_stored, dispatch_uid="stories_part_blocks_stored")
