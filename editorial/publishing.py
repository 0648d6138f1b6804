"""What every publishable model shares: the status, the one published() gate, the revision
pointers, and the small interface through which the editorial engine talks to content.

Content apps (stories, issues) subclass `PublishableModel` and fill in the interface; the engine
(`editorial.workflow`, `editorial.revisions`) never imports them.
"""

from typing import NamedTuple

from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class RevisionSpec(NamedTuple):
    """What a revision of a model holds: the whole content an editor can change.

    fields: the model's own editable fields, by name.
    tags: many-to-many fields, stored as lists of primary keys.
    children: reverse foreign keys (accessor name → the child's fields), stored as lists of rows
    in the child model's order, e.g. a story's sources or an issue's numbered stories.
    """

    fields: tuple
    tags: tuple = ()
    children: dict = {}


# Columns that only the editorial side reads. Public pages leave them out: every row a page
# lists would otherwise fetch and decode them for nothing (a feed lists hundreds).
EDITORIAL_COLUMNS = ("pending_status", "latest_revision", "live_revision", "version", "created_at")


class PublishableQuerySet(models.QuerySet):
    def for_readers(self):
        """Without the editorial columns (see EDITORIAL_COLUMNS); public querysets use it."""
        return self.defer(*EDITORIAL_COLUMNS)

    def published(self, now=None):
        """The one gate for everything public: published, and its time has come.

        A future published_at means "scheduled": the row becomes public the moment the clock
        passes it, with no job flipping anything.
        """
        return self.filter(status=Status.PUBLISHED, published_at__lte=now or timezone.now())

    def scheduled(self, now=None):
        """Published but waiting for its time: the rows that will pass the gate on their own."""
        return self.filter(status=Status.PUBLISHED, published_at__gt=now or timezone.now())

    def in_state(self, status):
        """Rows whose working text is in `status`: a published row with changes waiting in
        review counts as "in review" here (its public text stays published)."""
        if status == Status.PUBLISHED:
            return self.filter(status=Status.PUBLISHED, pending_status="")
        return self.filter(
            models.Q(status=status) | models.Q(status=Status.PUBLISHED, pending_status=status)
        )


class PublishableModel(models.Model):
    status = models.CharField(
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        editable=False,
        help_text="Changed only through the workflow buttons: submit, request changes, publish.",
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When it went (or goes) public. A time in the future means scheduled.",
    )
    # Edits to a published row wait in a revision; this is their review state ("" = none).
    pending_status = models.CharField(
        "changes waiting",
        max_length=16,
        blank=True,
        editable=False,
        choices=[(Status.DRAFT, "Draft"), (Status.IN_REVIEW, "In review")],
    )
    # The newest saved text, and the one readers see (the row's own content when published).
    latest_revision = models.ForeignKey(
        "editorial.Revision",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    live_revision = models.ForeignKey(
        "editorial.Revision",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When readers last saw the content change: set only by the workflow's steps that change
    # what they see (editorial.workflow: publishing a revision, with or without a correction,
    # and unpublishing). Saves readers never see (drafts, revisions waiting for review, demo
    # reloads, stored fragments) leave it alone, unlike updated_at. Sitemaps, feeds and
    # structured data give it as the date modified.
    content_changed_at = models.DateTimeField(
        "content changed",
        null=True,
        blank=True,
        editable=False,
        help_text="When readers last saw a change: publication, published changes or a "
        "correction, unpublishing.",
    )
    # Bumped on every save; a save that started from an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishableQuerySet.as_manager()

    # -- the interface the editorial engine uses; content models override ----------------------

    revision_spec = RevisionSpec(fields=())

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # A row made public without the workflow (a test factory, load_demo, a shell) changed
        # for readers when it went public.
        if self.status == Status.PUBLISHED and self.content_changed_at is None:
            self.content_changed_at = self.published_at
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "content_changed_at"}
        super().save(*args, **kwargs)

    # Whether a reviewer may attach a public correction note when publishing changes.
    accepts_corrections = False

    def written_by(self, user):
        """Whether `user` is a named author of this object (four eyes: they may not publish it)."""
        return False

    def publish_problems(self, at, content):
        """What blocks publishing `content` (a revision's) at `at`, in an editor's words."""
        return []

    def goes_out_with(self, content):
        """Other publishable objects published together with `content` (an issue's stories),
        as a queryset, or None."""
        return None

    def render_html(self):
        """Fill the fields derived from the text (rendered Markdown); save() calls it, and so
        does a preview of a revision."""

    def add_correction(self, text, revision, at=None):
        """Record a public correction note for the revision being published at `at`."""
        raise NotImplementedError

    def render_preview(self, request):
        """The public page of this object's working text, for a preview."""
        raise NotImplementedError

    # -- state, read by every label, filter and button ------------------------------------------

    @property
    def is_published(self):
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def is_live(self):
        """Published or scheduled: the row holds the public text and is written only by publish."""
        return self.status == Status.PUBLISHED

    @property
    def has_pending_changes(self):
        return self.is_live and bool(self.pending_status)

    @property
    def working_status(self):
        """The review state of the newest text: the pending changes' state on a published row."""
        return self.pending_status if self.has_pending_changes else self.status
