"""Load the demo: issue #47 as published, next week's issue in draft, and three demo logins."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from editorial import cards, revisions
from editorial.models import Transition
from issues.models import Issue, IssueStory
from stories import demo_content as demo
from stories import demo_images
from stories.models import (
    Author,
    AuthorLink,
    Byline,
    Company,
    Platform,
    Source,
    Status,
    Story,
    Topic,
)

# The editor hands work to review the evening before it goes out.
SUBMITTED_BEFORE_PUBLISHING = timedelta(hours=15, minutes=30)


def sync(model, lookup, values):
    """Fetch the row matching `lookup`, creating it or saving it only when `values` differ.

    Saving unchanged rows would bump `updated_at` (and any version counter), so a second run
    of the command would not be a no-op. Plain save() keeps every model signal firing.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj


def suggestion_settings(data):
    """A company's or platform's settings for suggestions (companies.suggest)."""
    return {
        "needs_second_clue": data.get("needs_second_clue", False),
        "clue_words": data.get("clue_words", []),
        "false_friends": data.get("false_friends", []),
        "weak_aliases": data.get("weak_aliases", []),
    }


class Command(BaseCommand):
    help = (
        "Fill the database with the demo issue #47 (published), three earlier published "
        "stories, a story in draft, a story in review, issue #48 in draft, and the demo logins "
        "editor, reviewer and admin, into a database that holds no stories or issues yet. "
        "A database with content is left as it is (make run runs this every time), unless "
        "--reset asks to put the demo rows back as they were."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though DEBUG is off. The demo logins have published passwords.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Put the demo rows back as they were (states, texts, tags), even over changes "
            "made since. Other content stays.",
        )

    def handle(self, *args, force=False, reset=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a real site: load_demo would add demo accounts "
                "with publicly known passwords. Run it with DEBUG=true, or pass --force if you "
                "really want the demo content here."
            )
        if not reset and (Story.objects.exists() or Issue.objects.exists()):
            self.stdout.write(
                f"The database already holds content ({Story.objects.count()} stories, "
                f"{Issue.objects.count()} issues): left as it is. "
                "Run `manage.py load_demo --reset` to put the demo content back."
            )
            return
        with transaction.atomic():
            users = self.load_users()
            companies = self.load_companies()
            platforms = self.load_platforms(companies)
            topics = {
                t["slug"]: sync(
                    Topic,
                    {"slug": t["slug"]},
                    {
                        "name": t["name"],
                        "description": t["description"],
                        "keywords": demo.TOPIC_KEYWORDS.get(t["slug"], []),
                    },
                )
                for t in demo.TOPICS
            }
            tags = {"companies": companies, "platforms": platforms, "topics": topics}
            tags["authors"] = self.load_authors(users)

            author = users["editor"]
            published = [
                self.load_story(
                    data, tags, author, status=Status.PUBLISHED, published_at=demo.PUBLISHED_AT
                )
                for data in demo.PUBLISHED_STORIES
            ]
            earlier = [
                self.load_story(
                    data, tags, author, status=Status.PUBLISHED, published_at=data["published_at"]
                )
                for data in demo.EARLIER_STORIES
            ]
            in_review = self.load_story(demo.REVIEW_STORY, tags, author, status=Status.IN_REVIEW)
            draft = self.load_story(demo.DRAFT_STORY, tags, author, status=Status.DRAFT)

            issue = self.load_issue(
                demo.PUBLISHED_ISSUE,
                published,
                status=Status.PUBLISHED,
                published_at=demo.PUBLISHED_AT,
            )
            by_slug = {story.slug: story for story in (in_review, draft)}
            next_issue = self.load_issue(
                demo.NEXT_ISSUE,
                [by_slug[slug] for slug in demo.NEXT_ISSUE["stories"]],
                status=Status.DRAFT,
            )

            # Every object has its text kept as a revision; published ones show that revision.
            for obj in [*published, *earlier, in_review, draft, issue, next_issue]:
                self.keep_revision(obj, author)

            # A believable history for the admin: submitted by the editor, published by the
            # reviewer (four eyes).
            for obj in [*published, issue, *earlier]:
                submitted_at = obj.published_at - SUBMITTED_BEFORE_PUBLISHING
                self.record(obj, "submit", Status.DRAFT, Status.IN_REVIEW, author, submitted_at)
                self.record(
                    obj,
                    "publish",
                    Status.IN_REVIEW,
                    Status.PUBLISHED,
                    users["reviewer"],
                    obj.published_at,
                )
            self.record(
                in_review,
                "submit",
                Status.DRAFT,
                Status.IN_REVIEW,
                author,
                demo.REVIEW_SUBMITTED_AT,
            )

        cards.ensure_brand_card()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: issue #{issue.number} published with {len(published)} stories, "
                f"{len(earlier)} earlier stories, issue #{next_issue.number} in draft, "
                "one story in review, one in draft."
            )
        )
        self.stdout.write("Demo logins (passwords are set only when the account is created):")
        for user in demo.USERS:
            self.stdout.write(f"  {user['username']:<9} {user['password']}")

    def load_users(self):
        User = get_user_model()
        users = {}
        for data in demo.USERS:
            flags = {"is_staff": data["is_staff"], "is_superuser": data["is_superuser"]}
            user = User.objects.filter(username=data["username"]).first()
            if user is None:
                user = User(username=data["username"], email=f"{data['username']}@example.com")
                for name, value in flags.items():
                    setattr(user, name, value)
                user.set_password(data["password"])
                user.save()
            else:
                user = sync(User, {"pk": user.pk}, flags)
            if data["group"]:
                try:
                    group = Group.objects.get(name=data["group"])
                except Group.DoesNotExist:
                    raise CommandError(
                        f"The group {data['group']!r} is missing: run `manage.py migrate` first."
                    ) from None
                if not user.groups.filter(pk=group.pk).exists():
                    user.groups.add(group)
            users[data["username"]] = user
        return users

    def load_companies(self):
        companies = {}
        # Parents come first in the data, so they are always in `companies` when needed.
        for data in demo.COMPANIES:
            values = {
                "name": data["name"],
                "name_zh": data.get("name_zh", ""),
                "aliases": data.get("aliases", []),
                "parent": companies[data["parent"]] if "parent" in data else None,
                "website": data.get("website", ""),
                "headquarters": data.get("headquarters", ""),
                "description": data.get("description", ""),
                **suggestion_settings(data),
            }
            companies[data["slug"]] = sync(Company, {"slug": data["slug"]}, values)
        return companies

    def load_platforms(self, companies):
        platforms = {}
        for data in demo.PLATFORMS:
            values = {
                "name": data["name"],
                "owner": companies[data["owner"]],
                "kind": data["kind"],
                "aliases": data.get("aliases", []),
                "website": data.get("website", ""),
                **suggestion_settings(data),
            }
            platforms[data["slug"]] = sync(Platform, {"slug": data["slug"]}, values)
        return platforms

    def load_authors(self, users):
        authors = {}
        for data in demo.AUTHORS:
            values = {
                "name": data["name"],
                "bio": data["bio"],
                "user": users[data["user"]] if "user" in data else None,
            }
            author = sync(Author, {"slug": data["slug"]}, values)
            if not author.photo or not author.photo.storage.exists(author.photo.name):
                # Drawn once: a second run keeps the stored file (and its random name).
                author.photo.save(
                    f"{data['slug']}.png",
                    ContentFile(demo_images.initials_photo(data["name"], data["colour"])),
                    save=True,
                )
            wanted = [(label, url, i) for i, (label, url) in enumerate(data["links"])]
            have = list(author.links.values_list("label", "url", "position"))
            if have != wanted:
                for link in author.links.all():
                    link.delete()
                for label, url, position in wanted:
                    AuthorLink(author=author, label=label, url=url, position=position).save()
            authors[data["slug"]] = author
        return authors

    def load_story(self, data, tags, author, *, status, published_at=None):
        values = {
            "headline": data["headline"],
            "summary": data["summary"],
            "body": data["body"],
            "event_date": data["event_date"],
            "author": author,
            "status": status,
            "published_at": published_at,
            # Readers last saw it change when it went out, not when the demo was loaded.
            "content_changed_at": published_at,
        }
        image = data.get("image")
        if image:
            values.update(
                image_alt=image["alt"],
                image_caption=image["caption"],
                image_credit=image["credit"],
            )
        story = sync(Story, {"slug": data["slug"]}, values)
        if image and not story.image:
            # Drawn once: a story that has an image (the demo's or an editor's) keeps it.
            drawing = demo_images.DRAWINGS[image["drawing"]]()
            story.image.save(f"{image['drawing']}.png", ContentFile(drawing))
        # set() only touches the rows that differ, so a re-run sends no changes.
        for field in ("companies", "platforms", "topics"):
            getattr(story, field).set([tags[field][slug] for slug in data[field]])

        slugs = demo.BYLINES.get(data["slug"], demo.DEFAULT_BYLINE)
        wanted = [(tags["authors"][slug].pk, i) for i, slug in enumerate(slugs)]
        if list(story.bylines.values_list("author_id", "position")) != wanted:
            for byline in story.bylines.all():
                byline.delete()
            for author_pk, position in wanted:
                Byline(story=story, author_id=author_pk, position=position).save()

        wanted = [(publisher, url, i) for i, (publisher, url) in enumerate(data["sources"])]
        have = list(
            story.sources.order_by("position", "pk").values_list("publisher", "url", "position")
        )
        if have != wanted:
            for source in story.sources.all():
                source.delete()
            for publisher, url, position in wanted:
                Source(story=story, publisher=publisher, url=url, position=position).save()
        return story

    def load_issue(self, data, stories, *, status, published_at=None):
        values = {
            "title": data["title"],
            "intro": data["intro"],
            "wrapup": data["wrapup"],
            "wrapup_heading": data["wrapup_heading"],
            "report_title": data["report_title"],
            "report_url": data["report_url"],
            "status": status,
            "published_at": published_at,
            # Readers last saw it change when it went out, not when the demo was loaded.
            "content_changed_at": published_at,
        }
        issue = sync(Issue, {"number": data["number"]}, values)
        wanted = [(story.pk, position) for position, story in enumerate(stories, start=1)]
        have = list(issue.entries.order_by("position").values_list("story_id", "position"))
        if have != wanted:
            # A story runs in one issue at most: free the demo stories wherever they sit now.
            for entry in IssueStory.objects.filter(Q(issue=issue) | Q(story__in=stories)):
                entry.delete()
            for story_pk, position in wanted:
                IssueStory(issue=issue, story_id=story_pk, position=position).save()
        return issue

    def keep_revision(self, obj, by):
        """A revision of what the rows hold (none when the newest already says the same)."""
        revisions.save_revision(obj, by=by, note="Demo content")
        if obj.is_live and obj.live_revision_id != obj.latest_revision_id:
            type(obj).objects.filter(pk=obj.pk).update(live_revision_id=obj.latest_revision_id)
            obj.live_revision_id = obj.latest_revision_id

    def record(self, obj, action, from_status, to_status, by, at):
        content_type = ContentType.objects.get_for_model(obj)
        exists = Transition.objects.filter(
            content_type=content_type, object_id=obj.pk, action=action, to_status=to_status
        ).exists()
        if not exists:
            Transition(
                content_type=content_type,
                object_id=obj.pk,
                action=action,
                from_status=from_status,
                to_status=to_status,
                by=by,
                at=at,
            ).save()
