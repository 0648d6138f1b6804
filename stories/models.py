from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from companies.links import public_path
from companies.models import Company, Platform, Topic
from editorial import cards
from editorial.images import SafeImageField
from editorial.publishing import PublishableModel, PublishableQuerySet, RevisionSpec, Status
from editorial.renditions import RenditionsField, picture

from .markdown import render_markdown

__all__ = [
    "Status",
    "Company",
    "Platform",
    "Topic",
    "Author",
    "AuthorLink",
    "Story",
    "Byline",
    "Source",
    "Correction",
    "DismissedSuggestion",
]


class AuthorQuerySet(models.QuerySet):
    def with_published_counts(self, now=None):
        """Each author with `published_count`: their stories readers can see (a subquery
        through the one published() gate)."""
        count = (
            Story.objects.published(now=now)
            .filter(bylines__author=OuterRef("pk"))
            .order_by()
            .values("bylines__author")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(published_count=Coalesce(Subquery(count), 0))

    def with_published_stories(self, now=None):
        """Authors with at least one story readers can see: the ones with a public page."""
        return self.with_published_counts(now).filter(published_count__gt=0)


class Author(models.Model):
    """A person with a byline. Stories carry one or more (Byline, in order); readers see the
    name and photo under the headline and a page at /authors/<slug>/."""

    name = models.CharField(max_length=200, help_text="As printed in the byline.")
    slug = models.SlugField(
        max_length=200, help_text="The last part of the author's address: /authors/this-part/."
    )
    photo = SafeImageField(
        upload_to="authors/",
        blank=True,
        renditions_field="photo_renditions",
        help_text="A head-and-shoulders picture, square if you can; shown small in bylines.",
    )
    # Its responsive renditions (editorial.renditions): bylines print them from the row.
    photo_renditions = RenditionsField()
    bio = models.TextField(
        blank=True,
        help_text="Two or three sentences about the author, in Markdown; shown on their page.",
    )
    bio_html = models.TextField(blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="The admin account of this person, if they have one: new stories they start "
        "carry their byline, and four eyes keeps them from publishing their own stories.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="author_slug_unique"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.bio_html = render_markdown(self.bio)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "bio" in update_fields:
            kwargs["update_fields"] = {*update_fields, "bio_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return public_path("author_detail", self.slug)

    def stories_using(self):
        """The stories that carry this author's byline (companies.admin's rename rule)."""
        return self.stories.all()


class AuthorLink(models.Model):
    """A web address on an author's page: their website, a social profile."""

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(max_length=100, help_text="What the link is, e.g. Website, Mastodon.")
    url = models.URLField("URL", max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.label}: {self.url}"


class StoryQuerySet(PublishableQuerySet):
    def for_story_page(self):
        """A story for its page; the page adds sources and tags (stories.extras, 2 queries)."""
        return self.for_readers().defer("search_vector", "body", "block_html", "card_html")

    def for_issue_preview(self):
        """Stories of an issue preview, in any state: no search vector."""
        return self.defer("search_vector", "block_html", "card_html")

    def in_issue(self, issue_id):
        """The stories of one issue in print order, each with its `position` (a join)."""
        return (
            self.filter(issue_entries__issue_id=issue_id)
            .annotate(position=models.F("issue_entries__position"))
            .order_by("position")
        )

    def for_issue_blocks(self):
        """What a reader's issue page prints of each story: its numbered headline, its link and
        its stored block (stories.fragments); nothing else is fetched or decoded."""
        return self.only("headline", "slug", "block_html")

    def for_timeline(self):
        """Story cards on timelines, search and feeds: no body, the stored card
        (stories.fragments). The page adds the tags (stories.extras, 1 query) so each card can
        say why it is there ("via TikTok")."""
        return self.for_readers().defer("body", "body_html", "block_html", "search_vector")

    def about(self, company_ids=(), platform_ids=(), topic_ids=()):
        """Stories tagged with any of the given companies, platforms or topics (no duplicates)."""
        match = Q(pk__in=[])
        if company_ids:
            match |= Q(
                pk__in=Story.companies.through.objects.filter(company_id__in=company_ids).values(
                    "story_id"
                )
            )
        if platform_ids:
            match |= Q(
                pk__in=Story.platforms.through.objects.filter(platform_id__in=platform_ids).values(
                    "story_id"
                )
            )
        if topic_ids:
            match |= Q(
                pk__in=Story.topics.through.objects.filter(topic_id__in=topic_ids).values(
                    "story_id"
                )
            )
        return self.filter(match)


def awaiting_approval(contents):
    """{("companies" or "platforms", pk): name} of the companies and platforms that the given
    contents (revisions' content) name and that still await approval: a story naming one
    cannot be published. One query for any number of contents, none when they name nothing."""
    company_ids, platform_ids = set(), set()
    for content in contents:
        tags = content.get("tags", {})
        company_ids.update(tags.get("companies") or ())
        platform_ids.update(tags.get("platforms") or ())
    if not company_ids and not platform_ids:
        return {}
    rows = (
        Company.objects.pending()
        .filter(pk__in=company_ids)
        .order_by()
        .annotate(tag=models.Value("companies"))
        .values_list("tag", "pk", "name")
        .union(
            Platform.objects.pending()
            .filter(pk__in=platform_ids)
            .order_by()
            .annotate(tag=models.Value("platforms"))
            .values_list("tag", "pk", "name"),
            all=True,
        )
    )
    return {(kind, pk): name for kind, pk, name in rows}


class Story(PublishableModel):
    headline = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=255, help_text="The last part of the story's address: /stories/this-part/."
    )
    summary = models.TextField(
        blank=True,
        help_text="One paragraph that tells the news on its own. Needed before publishing.",
    )
    body = models.TextField(
        blank=True,
        help_text="The full story in Markdown: **bold**, *italic*, [links](https://…), lists.",
    )
    body_html = models.TextField(blank=True, editable=False)
    # The story's block on an issue page (dek, body, sources, chips), stored by
    # stories.fragments whenever anything it prints changes; readers get it via published().
    block_html = models.TextField(blank=True, editable=False)
    # Its card on timelines (headline, date, summary, company and platform chips), likewise.
    card_html = models.TextField(blank=True, editable=False)
    event_date = models.DateField(
        default=timezone.localdate,
        help_text="When the news happened (not when we publish it). Timelines are sorted by it.",
    )
    companies = models.ManyToManyField(
        Company, blank=True, related_name="stories", help_text="Companies the story is about."
    )
    platforms = models.ManyToManyField(
        Platform,
        blank=True,
        related_name="stories",
        help_text="Apps and services the story is about.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="stories")
    authors = models.ManyToManyField(Author, through="Byline", blank=True, related_name="stories")
    image = SafeImageField(
        "lead image",
        upload_to="stories/%Y/%m/",
        blank=True,
        renditions_field="image_renditions",
        help_text="Shown above the story, on its block in the issue and when the story is shared.",
    )
    # Its responsive renditions (editorial.renditions), so pages print them from the row.
    image_renditions = RenditionsField()
    image_alt = models.CharField(
        "image alt text",
        max_length=300,
        blank=True,
        help_text="Describe the image for readers who cannot see it. Needed when there is an image.",
    )
    image_caption = models.CharField(
        "image caption",
        max_length=300,
        blank=True,
        help_text="Shown under the image: what it shows, in a sentence. Optional.",
    )
    image_credit = models.CharField(
        "image credit",
        max_length=200,
        blank=True,
        help_text="Who made the image or holds its rights, e.g. “Photo: Xinhua” or “Chart: Digest”.",
    )
    # The generated card (editorial.cards) that shares of a story without an image show: its
    # name under MEDIA_ROOT, drawn when the published headline changes (draw_social_card).
    social_card = models.CharField(max_length=100, blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stories",
        editable=False,
    )
    # Set when a correction note is published, so pages without one spend no query on them.
    has_corrections = models.BooleanField(default=False, editable=False)
    # Kept up to date by the search module; weighted headline > summary > body > names.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-event_date", "-pk"]
        verbose_name_plural = "stories"
        permissions = [("publish_story", "Can publish, schedule and unpublish stories")]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="story_slug_unique"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="story_status_valid"
            ),
            # A published story always knows when it went public.
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(published_at__isnull=False),
                name="story_published_has_time",
            ),
            # ...and when readers last saw it change (sitemaps, feeds, dateModified).
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(content_changed_at__isnull=False),
                name="story_published_has_change_time",
            ),
        ]
        indexes = [
            # Timelines: published stories of a company/platform/topic, newest event first.
            models.Index(
                fields=["-event_date", "-id"],
                name="story_published_event_idx",
                condition=Q(status=Status.PUBLISHED),
            ),
            # Feeds and "latest" lists: published stories by publication time.
            models.Index(
                fields=["-published_at"],
                name="story_published_at_idx",
                condition=Q(status=Status.PUBLISHED),
            ),
            # The editorial desk: drafts and reviews by status.
            models.Index(fields=["status", "-updated_at"], name="story_status_updated_idx"),
            # /search/: matches of a query among published stories (stories.search), the
            # only rows search reads; drafts and reviews never enter the index. No pending
            # list: a save writes its entries at once (a few ms), so that no search has to
            # read a list of recent entries, which also makes the planner, pricing that list,
            # turn away from the index (to a scan testing every published story's vector).
            GinIndex(
                fields=["search_vector"],
                name="story_published_search_gin",
                condition=Q(status=Status.PUBLISHED),
                fastupdate=False,
            ),
        ]

    # What a revision of a story holds (editorial.revisions): everything an editor can change.
    revision_spec = RevisionSpec(
        fields=(
            "headline",
            "slug",
            "summary",
            "body",
            "event_date",
            "image",
            "image_alt",
            "image_caption",
            "image_credit",
        ),
        tags=("companies", "platforms", "topics"),
        children={
            "sources": ("publisher", "url", "position"),
            # The byline, in order: a published revision pins who readers see as its authors.
            "bylines": ("author", "position"),
        },
    )
    accepts_corrections = True

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        return public_path("story_detail", self.slug)

    # -- what the editorial engine asks (editorial.publishing.PublishableModel) ----------------

    def written_by(self, user):
        """Whether `user` started the story, or is one of the authors in its newest text (an
        account linked to an Author): four eyes keeps both from publishing it alone. Costs a
        query or two."""
        if self.author_id is not None and self.author_id == user.pk:
            return True
        from editorial import revisions

        rows = revisions.content_of(self).get("children", {}).get("bylines", [])
        ids = [row.get("author") for row in rows]
        return bool(ids) and Author.objects.filter(pk__in=ids, user_id=user.pk).exists()

    def publish_problems(self, at, content, pending=None):
        """`pending`: awaiting_approval() of this and other contents, when the caller checks
        many stories at once (an issue); else it is asked here."""
        fields = content.get("fields", {})
        problems = []
        if not (fields.get("summary") or "").strip():
            problems.append("it needs a summary")
        if not content.get("children", {}).get("sources"):
            problems.append("it needs at least one source")
        if not content.get("children", {}).get("bylines"):
            problems.append("it needs an author")
        tags = content.get("tags", {})
        if not tags.get("companies"):
            problems.append("it needs at least one company")
        pending = awaiting_approval([content]) if pending is None else pending
        waiting = sorted(
            pending[(kind, pk)]
            for kind in ("companies", "platforms")
            for pk in tags.get(kind) or ()
            if (kind, pk) in pending
        )
        if waiting:
            problems.append(
                "it names "
                + ", ".join(f"“{name}”" for name in waiting)
                + ", proposed but not yet approved by a reviewer (Companies or Platforms, "
                "action “Approve”)"
            )
        if fields.get("image") and not (fields.get("image_alt") or "").strip():
            problems.append("its image needs alt text")
        return problems

    def add_correction(self, text, revision, at=None):
        Correction.objects.create(
            story=self, text=text, revision=revision, created_at=at or timezone.now()
        )
        if not self.has_corrections:
            self.has_corrections = True
            self.save(update_fields=["has_corrections"])

    def render_preview(self, request):
        from editorial import revisions

        from .views import render_story_page

        if not self.has_pending_changes:
            # Not public, or public without changes: the rows are the newest text.
            return render_story_page(request, self, preview=True)
        copy = revisions.working_copy(self)
        return render_story_page(request, copy, preview=True, content=revisions.content_of(self))

    def render_html(self):
        self.body_html = render_markdown(self.body)

    def draw_social_card(self):
        """A published story without an image gets a card with its headline (editorial.cards),
        drawn now, while it is saved, so that a reader's request only prints its address. A
        draft gets none: its headline is not public yet."""
        if self.get_deferred_fields() & {"status", "image", "headline", "social_card"}:
            return  # a partial save of a partly loaded row: not a change of these
        if self.status != Status.PUBLISHED or self.image:
            return
        if self.social_card != cards.card_name(self.headline):
            self.social_card = cards.ensure_card(self.headline)

    def social_image(self):
        """(path, width, height, type) of what a share of this story shows: a rendition of its
        image, else its card; None when it has neither (a draft: pages use the site's card).
        Reads only the row."""
        lead = picture(self.image)
        if lead is not None and lead.ready:
            return lead.social()
        if self.social_card and not self.image:
            return default_storage.url(self.social_card), cards.WIDTH, cards.HEIGHT, "image/png"
        return None

    def save(self, *args, **kwargs):
        self.render_html()
        self.draw_social_card()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {"body_html"} if "body" in update_fields else set()
            if {"headline", "image", "status"} & set(update_fields):
                extra.add("social_card")
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)


class Byline(models.Model):
    """An author of a story, in the order the byline names them."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="bylines")
    # PROTECT: an author who signs a story cannot be deleted from under it.
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            # An author is named once per story. Also the index of a story's bylines.
            models.UniqueConstraint(fields=["story", "author"], name="byline_author_once"),
        ]
        indexes = [
            # An author's page: their stories (then filtered by the published() gate).
            models.Index(fields=["author", "story"], name="byline_author_story_idx"),
        ]

    def __str__(self):
        return f"{self.author} on “{self.story}”"


class Source(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="sources")
    publisher = models.CharField(max_length=200, help_text="Who reported it, e.g. Reuters.")
    url = models.URLField("URL", max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.publisher}: {self.url}"


class Correction(models.Model):
    """A public note that a published story was changed, shown on its page with the date."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="corrections")
    text = models.TextField(help_text="What was wrong and what the story says now.")
    created_at = models.DateTimeField(default=timezone.now)
    revision = models.ForeignKey(
        "editorial.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The story page lists a story's corrections, oldest first.
            models.Index(fields=["story", "created_at"], name="correction_story_idx"),
        ]

    def __str__(self):
        return f"Correction to “{self.story}” of {self.created_at:%Y-%m-%d}"


class DismissedSuggestionQuerySet(models.QuerySet):
    def tokens_for(self, story):
        """The story's dismissed suggestions as the form's hidden field writes them:
        "company:12", "platform:3", "topic:5"."""
        if story is None or story.pk is None:
            return []
        return [
            f"{kind}:{pk}" for kind, pk in self.filter(story=story).values_list("kind", "entity_id")
        ]

    def remember(self, story, tokens, by):
        """Keep dismissals (kind, entity primary key) for the story; ones already kept stay."""
        self.bulk_create(
            [
                self.model(story=story, kind=kind, entity_id=pk, dismissed_by=by)
                for kind, pk in tokens
            ],
            ignore_conflicts=True,
        )


class DismissedSuggestion(models.Model):
    """A suggested company, platform or topic an editor dismissed for one story: the admin
    does not offer it for that story again. Editing state, not content: no revision keeps it.

    The entity is named by kind and primary key; a dismissal of something since deleted from
    the registry is harmless (nothing can suggest it any more)."""

    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        PLATFORM = "platform", "Platform"
        TOPIC = "topic", "Topic"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="dismissed_suggestions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    entity_id = models.PositiveIntegerField()
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(default=timezone.now)

    objects = DismissedSuggestionQuerySet.as_manager()

    class Meta:
        constraints = [
            # One row per story and entity; its index also serves "dismissed for this story".
            models.UniqueConstraint(
                fields=["story", "kind", "entity_id"], name="dismissed_suggestion_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.entity_id} dismissed for story {self.story_id}"
