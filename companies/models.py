"""The company registry: companies, the platforms they run, and topics.

Stories name them; the registry reaches those stories only through the reverse relation
`stories` (it imports no content app). Names in public use are renamed by reviewers only (see
companies.admin).
"""

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.deletion import ProtectedError

from editorial.images import SafeImageField
from editorial.renditions import RenditionsField

from .links import public_path

__all__ = ["Company", "Platform", "Topic"]


def _aliases_field():
    return ArrayField(
        models.CharField(max_length=100),
        blank=True,
        default=list,
        help_text="Other names, spellings and stock tickers, separated by commas "
        "(for example: Alibaba, BABA, 9988.HK). Search and tagging use them.",
    )


def _needs_second_clue_field(example):
    return models.BooleanField(
        "needs a second clue",
        default=False,
        help_text=f"Tick it when its name is also an ordinary word ({example}). Suggestions then "
        "count its name, its Chinese name and one-word aliases only when the text gives another "
        "clue: a ticker, a longer name, its owner or one of its platforms, or a clue word below.",
    )


def _phrases_field(help_text, verbose_name=None):
    """A list of words or phrases an editor types separated by commas (the suggestion rules)."""
    return ArrayField(
        models.CharField(max_length=100),
        blank=True,
        default=list,
        verbose_name=verbose_name,
        help_text=help_text,
    )


def _clue_words_field():
    return _phrases_field(
        "Words that show a text means this one, separated by commas (for Apple: "
        "iPhone, Tim Cook, Cupertino). Used by suggestions when it needs a second clue."
    )


def _false_friends_field():
    return _phrases_field(
        "Phrases that contain its name but mean something else, separated by commas "
        "(Amazon river, apple growers, 京东方). Suggestions ignore its name inside them."
    )


def _weak_aliases_field():
    return _phrases_field(
        "Other names that are also common phrases, separated by commas (Little Red "
        "Book, Mao's book too). Suggestions count them only when the text gives another clue, "
        "as for a name needing a second clue.",
        verbose_name="aliases needing a second clue",
    )


def _updated_at_field():
    # The suggestion matcher (companies.suggest) rebuilds when the registry's newest change or
    # its row count moves: max(updated_at) is read through the index below.
    return models.DateTimeField(auto_now=True)


def _live_story_count_field():
    return models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Stories naming it that are published or scheduled; kept by the database.",
    )


class UsedByStoriesQuerySet(models.QuerySet):
    def with_published_counts(self, now=None):
        """The rows as a list, each with `published_count`: its stories readers can see.

        Two queries whatever the archive's size: the rows with their stored count of live
        stories (published or scheduled, kept by database triggers: see stories migration
        0008), then the few scheduled stories among those, whose time has not come yet.
        Counting the stories themselves read every tag row in the archive.
        """
        rows = list(self)
        waiting = self.model.scheduled_story_counts(now)
        for row in rows:
            row.published_count = row.live_story_count - waiting.get(row.pk, 0)
        return rows

    def with_published_stories(self, now=None):
        """The rows that name at least one story readers can see, as a list, each with
        `published_count` (two queries, as with_published_counts)."""
        rows = self.filter(live_story_count__gt=0).with_published_counts(now)
        return [row for row in rows if row.published_count > 0]

    def delete(self):
        for obj in self:
            obj.refuse_delete_if_used()
        return super().delete()

    def public(self):
        """The rows readers may see (companies and platforms narrow it to approved ones)."""
        return self.all()


class RegistryQuerySet(UsedByStoriesQuerySet):
    """Companies and platforms, which editors may propose and reviewers approve."""

    def public(self):
        """The rows readers may see: approved ones. Every public page listing or opening a
        company or platform starts here; a proposal waiting for a reviewer shows nowhere."""
        return self.filter(approved=True)

    def pending(self):
        return self.filter(approved=False)


def _approved_field():
    return models.BooleanField(
        default=True,
        help_text="Proposed by an editor and not yet approved by a reviewer when unticked: "
        "it can be tagged on drafts, but shows on no public page, and a story naming it "
        "cannot be published until a reviewer approves it.",
    )


class ProposableMixin:
    """Companies and platforms an editor proposed wait for a reviewer's approval (`approved`).
    Approval is one way: what readers have seen is never hidden again by unticking a box."""

    def approval_problems(self):
        """What must be approved first, in an editor's words."""
        return []

    def approve(self):
        problems = self.approval_problems()
        if problems:
            raise ValidationError(problems)
        if not self.approved:
            self.approved = True
            self.save(update_fields=["approved"])


class UsedByStoriesMixin:
    """Companies, platforms and topics cannot be deleted while any story names them.

    The many-to-many rows would otherwise vanish silently and the stories would lose their tags.
    """

    @classmethod
    def scheduled_story_counts(cls, now=None):
        """{pk: number of scheduled stories naming it}: one query, through the index of
        published stories by publication time, so it reads only the stories still waiting."""
        relation = cls._meta.get_field("stories")
        tag = relation.field.name  # "companies", "platforms" or "topics" on the story
        rows = (
            relation.related_model.objects.scheduled(now)
            .filter(**{f"{tag}__isnull": False})
            .order_by()
            .values_list(tag)
            .annotate(n=models.Count("pk"))
        )
        return dict(rows)

    def stories_using(self):
        """Stories that name it on their public rows or in their newest text (a revision
        waiting for review): deleting it would silently drop it from either."""
        relation = self._meta.get_field("stories")
        tag = relation.field.name  # "companies", "platforms" or "topics" on the story
        in_newest_text = Q(**{f"latest_revision__content__tags__{tag}__contains": [self.pk]})
        return relation.related_model.objects.filter(Q(**{tag: self}) | in_newest_text).distinct()

    def refuse_delete_if_used(self):
        used = list(self.stories_using().order_by("headline")[:20])
        if used:
            names = ", ".join(f"“{story.headline}”" for story in used)
            raise ProtectedError(
                f"{self} cannot be deleted while stories use it: {names}. "
                "Remove it from those stories first.",
                set(used),
            )

    def delete(self, *args, **kwargs):
        self.refuse_delete_if_used()
        return super().delete(*args, **kwargs)


class Company(ProposableMixin, UsedByStoriesMixin, models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        help_text="The last part of the company page's address: /companies/this-part/.",
    )
    name_zh = models.CharField(
        "Chinese name", max_length=200, blank=True, help_text="For example 阿里巴巴集团."
    )
    aliases = _aliases_field()
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidiaries",
        help_text="The group this company belongs to, e.g. Taobao and Tmall Group → Alibaba Group.",
    )
    website = models.URLField(blank=True)
    headquarters = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True, help_text="A sentence or two for the company page.")
    logo = SafeImageField(
        upload_to="logos/companies/", blank=True, renditions_field="logo_renditions"
    )
    logo_renditions = RenditionsField()
    approved = _approved_field()
    needs_second_clue = _needs_second_clue_field("Apple, Amazon, Meta")
    clue_words = _clue_words_field()
    false_friends = _false_friends_field()
    weak_aliases = _weak_aliases_field()
    live_story_count = _live_story_count_field()
    updated_at = _updated_at_field()

    objects = RegistryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="company_slug_unique"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="company_not_own_parent"
            ),
        ]
        # max(updated_at): has the registry changed since the suggestion matcher was built?
        indexes = [models.Index(fields=["updated_at"], name="company_updated_at")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return public_path("company_detail", self.slug)

    def approval_problems(self):
        if self.parent_id and not self.parent.approved:
            return [f"its group “{self.parent}” awaits approval too: approve that first"]
        return []

    @classmethod
    def index_families(cls, now=None):
        """The company index: groups (companies without a parent) A to Z, each with
        `published_count` and `members`, its subsidiaries at any depth (depth first, A to Z,
        each with `depth` and `published_count`). Only approved companies with a published story, or
        with a subsidiary that has one, are listed. Two queries (with_published_counts)."""
        rows = cls.objects.public().order_by("name").with_published_counts(now)
        by_parent = {}
        for row in rows:
            by_parent.setdefault(row.parent_id, []).append(row)

        def covered(row, depth, seen):
            # Whether the row or one of its subsidiaries has a published story; also sets
            # `depth` and `members`. `seen` guards against a cycle of parents.
            seen.add(row.pk)
            row.depth, row.members = depth, []
            for child in by_parent.get(row.pk, []):
                if child.pk not in seen and covered(child, depth + 1, seen):
                    row.members += [child, *child.members]
            return row.published_count > 0 or bool(row.members)

        seen = set()
        groups = [row for row in by_parent.get(None, []) if covered(row, 0, seen)]
        # Companies inside a cycle of parents have no top: list them as groups of their own.
        groups += [row for row in rows if row.pk not in seen and covered(row, 0, seen)]
        return groups


class Platform(ProposableMixin, UsedByStoriesMixin, models.Model):
    class Kind(models.TextChoices):
        SOCIAL_VIDEO = "social_video", "Social video"
        SOCIAL_NETWORK = "social_network", "Social network"
        MESSAGING = "messaging", "Messaging"
        ECOMMERCE = "ecommerce", "E-commerce"
        SEARCH = "search", "Search"
        CHATBOT = "chatbot", "Chatbot / AI assistant"
        VIDEO_STREAMING = "video_streaming", "Video streaming"
        MUSIC = "music", "Music"
        DELIVERY = "delivery", "Delivery and local services"
        PAYMENTS = "payments", "Payments"
        CLOUD = "cloud", "Cloud"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        help_text="The last part of the platform page's address: /platforms/this-part/.",
    )
    owner = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="platforms",
        help_text="The company that runs it, e.g. ByteDance for TikTok and Douyin.",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)
    aliases = _aliases_field()
    website = models.URLField(blank=True)
    logo = SafeImageField(
        upload_to="logos/platforms/", blank=True, renditions_field="logo_renditions"
    )
    logo_renditions = RenditionsField()
    approved = _approved_field()
    needs_second_clue = _needs_second_clue_field("Wow, Kimi")
    clue_words = _clue_words_field()
    false_friends = _false_friends_field()
    weak_aliases = _weak_aliases_field()
    live_story_count = _live_story_count_field()
    updated_at = _updated_at_field()

    objects = RegistryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="platform_slug_unique")]
        # max(updated_at): has the registry changed since the suggestion matcher was built?
        indexes = [models.Index(fields=["updated_at"], name="platform_updated_at")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return public_path("platform_detail", self.slug)

    def approval_problems(self):
        if not self.owner.approved:
            return [f"its owner “{self.owner}” awaits approval too: approve that first"]
        return []


class Topic(UsedByStoriesMixin, models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(
        max_length=100, help_text="The last part of the topic page's address: /topics/this-part/."
    )
    description = models.TextField(blank=True)
    keywords = ArrayField(
        models.CharField(max_length=100),
        blank=True,
        default=list,
        help_text="Words and phrases that show a story is about this topic, separated by commas "
        "(for Regulation: regulator, fined, antitrust, 监管). Suggestions offer the topic when "
        "the headline has one of them or the text has two or more; plurals in -s are found too.",
    )
    live_story_count = _live_story_count_field()
    updated_at = _updated_at_field()

    objects = UsedByStoriesQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="topic_slug_unique")]
        # max(updated_at): has the registry changed since the suggestion matcher was built?
        indexes = [models.Index(fields=["updated_at"], name="topic_updated_at")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return public_path("topic_detail", self.slug)
