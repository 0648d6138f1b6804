from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from .publishing import PublishableModel, PublishableQuerySet, RevisionSpec, Status

__all__ = [
    "PublishableModel",
    "PublishableQuerySet",
    "Revision",
    "RevisionSpec",
    "ShareLink",
    "Status",
    "Transition",
]


class TargetQuerySet(models.QuerySet):
    def of(self, obj):
        """The rows about one story or issue."""
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Transition(models.Model):
    """One step of the editorial workflow on a story or an issue: who, when, from, to, why.

    Deletions are logged here too, so the log outlives the object it speaks of.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    action = models.CharField(max_length=32)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # An object's history on its change page.
            models.Index(fields=["content_type", "object_id", "-at"], name="transition_object_idx"),
        ]

    def __str__(self):
        return f"{self.action}: {self.from_status or '—'} → {self.to_status}"


class ShareLink(models.Model):
    """A revocable, expiring link that lets one outside person read one unpublished draft."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    # Only a hash of the token is stored, so a database dump does not leak working links.
    token_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="Who the link is for.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["token_hash"], name="sharelink_token_unique")
        ]

    def __str__(self):
        return f"Share link for {self.content_type.model} #{self.object_id}"


class Revision(models.Model):
    """The whole content of a story or issue as one person saved it (see RevisionSpec).

    Revisions are never changed: restoring an old one makes a new revision with its content.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    number = models.PositiveIntegerField(help_text="1 for the first save, then 2, 3, …")
    content = models.JSONField(encoder=DjangoJSONEncoder)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            # One numbering per object; also serves the history list (object, newest first).
            models.UniqueConstraint(
                fields=["content_type", "object_id", "number"], name="revision_number_unique"
            ),
        ]

    def __str__(self):
        return f"Revision {self.number}"
