from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest

from companies.links import public_path
from editorial import cards
from editorial.publishing import (
    EDITORIAL_COLUMNS,
    PublishableModel,
    PublishableQuerySet,
    RevisionSpec,
    Status,
)
from stories.markdown import render_markdown

# What the archive and feeds do not print of an issue.
ARCHIVE_SKIPS = (
    "intro",
    "intro_html",
    "wrapup",
    "wrapup_html",
    "wrapup_heading",
    "report_title",
    "report_url",
    "contents_html",
    "stories_shown",
    "social_card",
)


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

    def for_reader_page(self, now=None):
        """What a reader's issue page prints: its stored contents (issues.fragments), its dates
        (see with_changed_at), and the numbers and titles of the published issues before and
        after it (previous_number, previous_title, next_number, next_title; None at either
        end), in the same query. Nothing else is fetched or decoded."""
        published = Issue.objects.published(now=now)
        # Through the number's unique index: one row each, however long the archive.
        before = published.filter(number__lt=models.OuterRef("number")).order_by("-number")
        after = published.filter(number__gt=models.OuterRef("number")).order_by("number")
        return (
            self.only(
                "number",
                "title",
                "published_at",
                "content_changed_at",
                "contents_html",
                "stories_shown",
                "stories_until",
                "social_card",
            )
            .annotate(
                previous_number=models.Subquery(before.values("number")[:1]),
                previous_title=models.Subquery(before.values("title")[:1]),
                next_number=models.Subquery(after.values("number")[:1]),
                next_title=models.Subquery(after.values("title")[:1]),
            )
            .with_changed_at(now)
        )

    def with_changed_at(self, now=None):
        """Each issue with `changed_at`: when readers last saw its page change, that is the
        newest change to the issue itself or to a story it shows (content_changed_at). A
        subquery of the same query, through the issue's few entries."""
        from stories.models import Story

        newest_story = (
            Story.objects.published(now=now)
            .filter(issue_entries__issue=models.OuterRef("pk"))
            .order_by("-content_changed_at")
            .values("content_changed_at")[:1]
        )
        # GREATEST ignores a NULL: an issue none of whose stories is public yet.
        return self.annotate(
            changed_at=Greatest("content_changed_at", models.Subquery(newest_story))
        )

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
    wrapup_heading = models.CharField(
        "wrap-up heading",
        max_length=100,
        default="Wrapping up",
        help_text="The heading above the wrap-up (and the report link).",
    )
    report_title = models.CharField(
        "full report: link text",
        max_length=200,
        blank=True,
        help_text="The words readers click to open the longer report, saying what it is: "
        "“Our November report on China's platforms”, not “click here”.",
    )
    report_url = models.URLField(
        "full report: address",
        max_length=500,
        blank=True,
        help_text="Where the longer report is, for example https://example.com/reports/"
        "november/. Shown at the end of the issue, under the wrap-up.",
    )
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
    # The generated card (editorial.cards) a shared link to the issue shows: its number and
    # title, drawn when the published issue is saved; its name under MEDIA_ROOT.
    social_card = models.CharField(max_length=100, blank=True, editable=False)

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
            # ...and when readers last saw it change (sitemaps, feeds, dateModified).
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(content_changed_at__isnull=False),
                name="issue_published_has_change_time",
            ),
            # The report link prints its title as the link text: both or neither; and it is
            # printed as a link, so a web address (whatever path wrote it: form, revision, code).
            models.CheckConstraint(
                condition=Q(report_title="", report_url="")
                | (~Q(report_title="") & Q(report_url__regex=r"^https?://")),
                name="issue_report_link_whole",
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
        fields=(
            "number",
            "title",
            "intro",
            "wrapup",
            "wrapup_heading",
            "report_title",
            "report_url",
        ),
        children={"entries": ("position", "story")},
    )

    def __str__(self):
        return f"#{self.number}: {self.title}"

    def get_absolute_url(self):
        return public_path("issue_detail", self.number)

    def neighbours(self):
        """The published issues before and after this one, as (previous, next) dicts with
        `number`, `title` and `url` (or None), from for_reader_page's annotations."""

        def issue(number, title):
            if number is None:
                return None
            return {"number": number, "title": title, "url": public_path("issue_detail", number)}

        return (
            issue(getattr(self, "previous_number", None), getattr(self, "previous_title", "")),
            issue(getattr(self, "next_number", None), getattr(self, "next_title", "")),
        )

    def clean(self):
        super().clean()
        if bool(self.report_title.strip()) != bool(self.report_url):
            missing = "report_url" if self.report_title.strip() else "report_title"
            raise ValidationError(
                {missing: "Give the full report both its link text and its address, or neither."}
            )

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

    def draw_social_card(self):
        """A published issue gets a card with its number and title (editorial.cards), drawn
        while it is saved, so that a reader's request only prints its address."""
        if self.get_deferred_fields() & {"status", "number", "title", "social_card"}:
            return  # a partial save of a partly loaded row: not a change of these
        if self.status != Status.PUBLISHED:
            return
        kicker = f"Issue #{self.number}"
        if self.social_card != cards.card_name(self.title, kicker=kicker):
            self.social_card = cards.ensure_card(self.title, kicker=kicker)

    def social_image(self):
        """(path, width, height, type) of the issue's card; None before it is drawn (pages use
        the site's card). Reads only the row."""
        if not self.social_card:
            return None
        return default_storage.url(self.social_card), cards.WIDTH, cards.HEIGHT, "image/png"

    def save(self, *args, **kwargs):
        self.render_html()
        self.draw_social_card()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {"intro_html"} if "intro" in update_fields else set()
            extra |= {"wrapup_html"} if "wrapup" in update_fields else set()
            if {"number", "title", "status"} & set(update_fields):
                extra.add("social_card")
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
