"""Stored fragments: each story's block on an issue page and its card on timelines, rendered
when what they print changes.

An issue page prints about eight story blocks (dek, body, sources, company, platform and topic
chips). Rendering them on every uncached request cost more than the rest of the page, yet they
change only when one of these does, and each change re-renders the blocks it touches here, in
the same transaction (signals, like the search vector's upkeep in stories.search):

- the story's own text (a save of its headline, address, date, summary or body: publishing
  writes the revision's text so) and its lead image (the image, its renditions, alt text,
  caption and credit);
- its sources (added, changed, removed), its tags (companies, platforms, topics) and its
  bylines (authors added, removed, reordered);
- the name or address (slug) of a company, platform or topic it names, or its deletion;
- the name, address or photo of one of its authors.

So `Story.block_html` and `Story.card_html` always match the story's rows, whatever its state.
Readers only ever get them through `published()` (a draft's are stored but never selected for
a reader), and previews render theirs live from the draft with `render_block`. Numbers and headlines are not
part of the block: which stories of an issue are public, and so their numbers, is decided per
request by the page.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal
from django.template.loader import render_to_string

from .extras import attach_authors, attach_extras
from .models import Author, Byline, Company, Platform, Source, Story, Topic
from .tag_changes import stories_touched

TEMPLATE = "stories/blocks/issue_story.html"
CARD_TEMPLATE = "stories/blocks/card.html"
# A save naming only other columns (workflow steps, counters) leaves the fragments as they were.
_IMAGE_FIELDS = ("image", "image_renditions", "image_alt", "image_caption", "image_credit")
_PRINTED_FIELDS = {"headline", "slug", "event_date", "summary", "body", "body_html", *_IMAGE_FIELDS}
_RENDERED_FROM = ("headline", "slug", "event_date", "summary", "body_html", *_IMAGE_FIELDS)
_TAG_FIELDS = ("name", "slug")
# What a byline prints of an author (the photo's file name changes with every new photo).
_AUTHOR_FIELDS = ("name", "slug", "photo", "photo_renditions")

# Sent with `story_ids` once their new blocks are stored, in the same transaction: pages
# assembled from the blocks (issues.fragments) re-render then.
blocks_stored = Signal()


def with_extras(stories):
    """Stories with what their block prints besides their text: sources, tags (2 queries) and
    authors (1 query)."""
    return attach_authors(attach_extras(stories))


def render_block(story):
    """The block of a story that carries its source, tag and author lists (stories.extras)."""
    return render_to_string(TEMPLATE, {"story": story})


def render_card(story):
    """The timeline card of a story that carries its tag lists (without the "via" a timeline
    adds, which depends on the page)."""
    return render_to_string(CARD_TEMPLATE, {"story": story, "level": 4})


def store_blocks(story_ids):
    """Render and store the blocks and cards of these stories from their rows: the stories,
    their tags, sources and authors (4 queries), then one UPDATE."""
    ids = sorted(set(story_ids))
    if not ids:
        return
    stories = with_extras(Story.objects.filter(pk__in=ids).only(*_RENDERED_FROM))
    for story in stories:
        story.block_html = render_block(story)
        story.card_html = render_card(story)
    Story.objects.bulk_update(stories, ["block_html", "card_html"])
    blocks_stored.send(sender=Story, story_ids=ids)


def blocks_for_page(stories):
    """Give stories read without a stored block (rows bulk-inserted around the ORM) one
    rendered now: 3 queries when any is missing, none otherwise."""
    missing = [story for story in stories if not story.block_html]
    for story in with_extras(missing) if missing else ():
        story.block_html = render_block(story)
    return stories


# --- Upkeep ----------------------------------------------------------------------------------


def _story_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    if update_fields is not None and not (_PRINTED_FIELDS & set(update_fields)):
        return
    store_blocks([instance.pk])


def _source_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        store_blocks([instance.story_id])


def _byline_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        store_blocks([instance.story_id])


def _tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    story_ids = stories_touched(instance, action, reverse, pk_set, "_block_clear_ids")
    if story_ids is not None:
        store_blocks(story_ids)


def _printed_fields(model):
    return _AUTHOR_FIELDS if model is Author else _TAG_FIELDS


def _tag_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._block_printed = None
        return
    instance._block_printed = (
        sender.objects.filter(pk=instance.pk).values_list(*_printed_fields(sender)).first()
    )


def _tag_saved(sender, instance, created, raw=False, **kwargs):
    """A tag or an author whose printed name, address (or photo) changed: re-render the blocks
    of the stories that print it."""
    if raw or created:
        return
    now = tuple(
        sender._meta.get_field(name).get_prep_value(getattr(instance, name))
        for name in _printed_fields(sender)
    )
    before = getattr(instance, "_block_printed", None)
    if before is not None and tuple(before) == now:
        return
    store_blocks(instance.stories.values_list("pk", flat=True))


def _tag_deleting(sender, instance, **kwargs):
    # Deleting removes the tag rows without an m2m signal: remember whose blocks print it.
    # (Deleting a tag in use is refused today; the blocks stay right if that ever changes.)
    instance._block_story_ids = list(instance.stories.values_list("pk", flat=True))


def _tag_deleted(sender, instance, **kwargs):
    store_blocks(getattr(instance, "_block_story_ids", []))


def connect_signals():
    post_save.connect(_story_saved, sender=Story, dispatch_uid="blocks_story_saved")
    for signal in (post_save, post_delete):
        signal.connect(_source_changed, sender=Source, dispatch_uid=f"blocks_source_{signal}")
    for through in (Story.companies.through, Story.platforms.through, Story.topics.through):
        m2m_changed.connect(_tags_changed, sender=through, dispatch_uid=f"blocks_tags_{through}")
    for signal in (post_save, post_delete):
        signal.connect(_byline_changed, sender=Byline, dispatch_uid=f"blocks_byline_{signal}")
    # An author in use cannot be deleted (Byline.author is PROTECT): saves are enough.
    pre_save.connect(_tag_before, sender=Author, dispatch_uid="blocks_author_pre")
    post_save.connect(_tag_saved, sender=Author, dispatch_uid="blocks_author")
    for model in (Company, Platform, Topic):
        pre_save.connect(_tag_before, sender=model, dispatch_uid=f"blocks_tag_pre_{model}")
        post_save.connect(_tag_saved, sender=model, dispatch_uid=f"blocks_tag_{model}")
        pre_delete.connect(_tag_deleting, sender=model, dispatch_uid=f"blocks_tag_del_{model}")
        post_delete.connect(_tag_deleted, sender=model, dispatch_uid=f"blocks_tag_gone_{model}")
