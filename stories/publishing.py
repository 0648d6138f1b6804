"""What Story and Issue share: the status field, the one published() gate, a version column."""

from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class PublishableQuerySet(models.QuerySet):
    def published(self, now=None):
        """The one gate for everything public: published, and its time has come.

        A future published_at means "scheduled": the row becomes public the moment the clock
        passes it, with no job flipping anything.
        """
        return self.filter(status=Status.PUBLISHED, published_at__lte=now or timezone.now())

    def scheduled(self, now=None):
        """Published but waiting for its time: the rows that will pass the gate on their own."""
        return self.filter(status=Status.PUBLISHED, published_at__gt=now or timezone.now())


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
    # Bumped on every save; a save that started from an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

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
