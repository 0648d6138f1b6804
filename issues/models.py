from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from stories.links import public_path
from stories.markdown import render_markdown
from stories.publishing import PublishableModel, PublishableQuerySet, Status


class IssueQuerySet(PublishableQuerySet):
    def for_issue_page(self, stories=None):
        """The issue and its entries (with their stories) in 2 queries.

        `stories` is the Story queryset allowed on the page: published() for readers; a preview
        passes a wider one. Entries whose story is not allowed are left out. Sources and tags
        are loaded by the page itself (stories.extras.attach_extras, 2 more queries).
        """
        from stories.models import Story

        allowed = stories if stories is not None else Story.objects.published()
        entries = (
            IssueStory.objects.filter(story__in=allowed.values("pk"))
            .select_related("story")
            .defer("story__search_vector")
            .order_by("position")
        )
        return self.prefetch_related(models.Prefetch("entries", queryset=entries))

    def for_archive(self):
        """Issues with the number of their published stories, in one query."""
        from stories.models import Story

        # Shaped as a join from the issue's entries to their stories, so the database walks
        # eight rows per issue instead of every published story.
        count = (
            Story.objects.published()
            .filter(issue_entries__issue=models.OuterRef("pk"))
            .order_by()
            .values("issue_entries__issue")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(story_count=Coalesce(models.Subquery(count), 0)).defer(
            "intro", "intro_html", "wrapup", "wrapup_html"
        )


class Issue(PublishableModel):
    number = models.PositiveIntegerField(
        help_text="The edition number readers see: Issue #42. Must be unique."
    )
    title = models.CharField(max_length=255)
    intro = models.TextField(blank=True, help_text="Opening words in Markdown, above the stories.")
    intro_html = models.TextField(blank=True, editable=False)
    wrapup = models.TextField(
        "wrap-up", blank=True, help_text="Closing words in Markdown, below the stories."
    )
    wrapup_html = models.TextField(blank=True, editable=False)
    stories = models.ManyToManyField(
        "stories.Story", through="IssueStory", related_name="issues", blank=True
    )

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        permissions = [("publish_issue", "Can publish, schedule and unpublish issues")]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="issue_number_unique"),
            models.CheckConstraint(condition=Q(number__gt=0), name="issue_number_positive"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="issue_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(published_at__isnull=False),
                name="issue_published_has_time",
            ),
        ]
        indexes = [
            # The archive and "/" (latest issue): published issues, newest first.
            models.Index(
                fields=["-published_at"],
                name="issue_published_at_idx",
                condition=Q(status=Status.PUBLISHED),
            ),
        ]

    def __str__(self):
        return f"#{self.number}: {self.title}"

    def get_absolute_url(self):
        return public_path("issue_detail", self.number)

    def save(self, *args, **kwargs):
        self.intro_html = render_markdown(self.intro)
        self.wrapup_html = render_markdown(self.wrapup)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {"intro_html"} if "intro" in update_fields else set()
            extra |= {"wrapup_html"} if "wrapup" in update_fields else set()
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)


class IssueStory(models.Model):
    """A story's place in an issue. Stories print numbered 1..N by position."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="entries")
    story = models.ForeignKey(
        "stories.Story", on_delete=models.CASCADE, related_name="issue_entries"
    )
    position = models.PositiveSmallIntegerField(
        help_text="1 for the first story, 2 for the second, and so on."
    )

    class Meta:
        ordering = ["issue", "position"]
        verbose_name = "story in issue"
        verbose_name_plural = "stories in issue"
        constraints = [
            # A story runs in one issue at most.
            models.UniqueConstraint(fields=["story"], name="issuestory_story_once"),
            # Deferred so that reordering (swapping two positions) can be saved in one transaction.
            models.UniqueConstraint(
                fields=["issue", "position"],
                name="issuestory_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(position__gt=0), name="issuestory_position_positive"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.story}"
