from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from companies.links import public_path
from editorial.publishing import (
    EDITORIAL_COLUMNS,
    PublishableModel,
    PublishableQuerySet,
    RevisionSpec,
    Status,
)
from stories.markdown import render_markdown

# What the archive and feeds do not print of an issue.
ARCHIVE_SKIPS = ("intro", "intro_html", "wrapup", "wrapup_html", "contents_html", "stories_shown")


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
            .defer(
                "story__search_vector",
                "story__block_html",
                "story__card_html",
                *(f"story__{name}" for name in EDITORIAL_COLUMNS),
            )
            .order_by("position")
        )
        return (
            self.for_readers()
            .defer("contents_html", "stories_shown")
            .prefetch_related(models.Prefetch("entries", queryset=entries))
        )

    def for_reader_page(self):
        """What a reader's issue page prints: its stored contents (issues.fragments); nothing
        else is fetched or decoded."""
        return self.only("number", "title", "contents_html", "stories_shown", "stories_until")

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
        return (
            self.for_readers()
            .annotate(story_count=Coalesce(models.Subquery(count), 0))
            .defer(*ARCHIVE_SKIPS)
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
    # The issue's contents (its text and numbered stories) as readers see them, stored by
    # issues.fragments whenever anything they print changes, with the headline and address of
    # each story shown (for the page's meta tags). Valid until `stories_until`, when a
    # scheduled story of the issue goes public (None: until the next change).
    contents_html = models.TextField(blank=True, editable=False)
    stories_shown = models.JSONField(default=list, blank=True, editable=False)
    stories_until = models.DateTimeField(null=True, blank=True, editable=False)

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

    # What a revision of an issue holds (editorial.revisions): its text and story order.
    revision_spec = RevisionSpec(
        fields=("number", "title", "intro", "wrapup"),
        children={"entries": ("position", "story")},
    )

    def __str__(self):
        return f"#{self.number}: {self.title}"

    def get_absolute_url(self):
        return public_path("issue_detail", self.number)

    # -- what the editorial engine asks (editorial.publishing.PublishableModel) ----------------

    @staticmethod
    def _story_ids(content):
        return [row["story"] for row in content.get("children", {}).get("entries", [])]

    def goes_out_with(self, content):
        from stories.models import Story

        return Story.objects.filter(pk__in=self._story_ids(content))

    def publish_problems(self, at, content):
        """Three queries: the stories, the newest revisions of those in review, and which
        companies and platforms they name await approval."""
        from editorial.revisions import contents_of
        from editorial.workflow import format_time
        from stories.models import Story, awaiting_approval

        entries = content.get("children", {}).get("entries", [])
        if not entries:
            return ["it has no stories yet"]
        problems = []
        positions = [row["position"] for row in entries]
        if positions != list(range(1, len(entries) + 1)):
            problems.append(
                "story positions must run 1, 2, 3… without gaps or repeats; they are now "
                + ", ".join(str(p) for p in positions)
            )
        ids = self._story_ids(content)
        found = Story.objects.defer(
            "body", "body_html", "block_html", "card_html", "search_vector"
        ).in_bulk(ids)
        stories = [found[pk] for pk in ids if pk in found]
        if len(stories) < len(ids):
            problems.append("a story in it was deleted since; save the issue again to drop it")
        drafts = [story for story in stories if story.status == Status.DRAFT]
        if drafts:
            names = ", ".join(f"“{story}”" for story in drafts)
            problems.append(
                f"these stories are still drafts: {names}; submit them or take them out"
            )
        # Stories going out with the issue: unpublished ones in review (changes to a public
        # story go out on their own).
        in_review = [story for story in stories if story.status == Status.IN_REVIEW]
        texts = contents_of(in_review)
        pending = awaiting_approval(texts.values())
        for story in stories:
            if story.pk in texts:
                story_content = texts[story.pk]
                problems.extend(
                    f"“{story}”: {problem}"
                    for problem in story.publish_problems(at, story_content, pending)
                )
            elif story.is_live and not self.is_live and story.published_at > at:
                problems.append(
                    f"“{story}” is scheduled for {format_time(story.published_at)}, "
                    "after the issue would go out"
                )
        return problems

    @classmethod
    def desk_panel(cls):
        """The editorial desk's "Next issue" panel: the next unpublished issue and its blockers."""
        from django.urls import reverse

        from editorial import workflow

        issue = cls.objects.exclude(status=Status.PUBLISHED).order_by("number").first()
        panel = {
            "title": "Next issue",
            "obj": issue,
            "empty": "No issue in preparation.",
            "add_url": reverse("admin:issues_issue_add"),
            "add_label": "Start the next issue",
        }
        if issue is not None:
            panel["url"] = reverse("admin:issues_issue_change", args=[issue.pk])
            panel["state"] = workflow.state_label(issue)
            panel["problems"] = workflow.publish_problems(issue)
        return panel

    def stored_stories_valid(self, now):
        """Whether the stored contents still show the stories a reader sees at `now`."""
        return self.stories_until is None or now < self.stories_until

    def render_preview(self, request):
        from .views import render_issue_preview

        return render_issue_preview(request, self)

    def render_html(self):
        self.intro_html = render_markdown(self.intro)
        self.wrapup_html = render_markdown(self.wrapup)

    def save(self, *args, **kwargs):
        self.render_html()
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
