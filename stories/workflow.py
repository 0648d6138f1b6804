"""The editorial workflow for stories and issues: submit, request changes, publish, unpublish.

Every step checks who asks and what state the object is in, runs in a transaction with the row
locked (two reviewers pressing Publish at once produce one transition), saves with
`update_fields` so that cache invalidation and search indexing signals fire, and writes a
`Transition`. Admin views and actions only call these functions; a refused step raises a
`WorkflowError` whose message is written for the person who tried.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import formats, timezone

from . import notifications
from .publishing import Status

# Older than any transition: "since the last submit" for a story that has none on record.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

WORKFLOW_FIELDS = ["status", "published_at", "version", "updated_at"]


class Action(models.TextChoices):
    SUBMIT = "submit", "Submit for review"
    REQUEST_CHANGES = "request_changes", "Request changes"
    PUBLISH = "publish", "Publish"
    SCHEDULE = "schedule", "Schedule"
    UNPUBLISH = "unpublish", "Unpublish"
    # Not a change of state: a reviewer corrected a story in review or already published.
    EDIT = "edit", "Correction"


# action: (the state it starts from, the state it ends in, the permission it needs)
RULES = {
    Action.SUBMIT: (Status.DRAFT, Status.IN_REVIEW, "change"),
    Action.REQUEST_CHANGES: (Status.IN_REVIEW, Status.DRAFT, "publish"),
    Action.PUBLISH: (Status.IN_REVIEW, Status.PUBLISHED, "publish"),
    Action.UNPUBLISH: (Status.PUBLISHED, Status.DRAFT, "publish"),
}
VERBS = {
    Action.SUBMIT: "submit",
    Action.REQUEST_CHANGES: "request changes on",
    Action.PUBLISH: "publish",
    Action.UNPUBLISH: "unpublish",
}


class WorkflowError(Exception):
    """A step that cannot be taken now. `problems` lists each reason when there are several."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)

    def __str__(self):
        return self.message


class NotAllowed(WorkflowError):
    """The user lacks the role (or, for four eyes, is the author)."""


class WrongState(WorkflowError):
    """The object is not in the state the step starts from (perhaps someone else was quicker)."""


class NotReady(WorkflowError):
    """Pre-publish checks failed; `problems` names each one."""


# ---------------------------------------------------------------------------------------------
# Who may do what


def _perm(obj, kind):
    opts = obj._meta
    return f"{opts.app_label}.{kind}_{opts.model_name}"


def _kind(obj):
    return obj._meta.verbose_name


def can_publish(user, obj):
    """Reviewers (and superusers): publish, schedule, unpublish, request changes, correct."""
    return user.is_active and user.has_perm(_perm(obj, "publish"))


def can_edit(user, obj):
    """Whether `user` may change the content of `obj` now.

    Editors edit drafts only: once submitted, a story or issue is read-only for them until a
    reviewer sends it back. Reviewers may also correct objects in review or published.
    """
    if not (user.is_active and user.has_perm(_perm(obj, "change"))):
        return False
    return obj.status == Status.DRAFT or can_publish(user, obj)


def _stories_of(issue):
    from stories.models import Story

    return Story.objects.filter(issue_entries__issue=issue)


def _names(objs):
    return ", ".join(f"“{obj}”" for obj in objs)


def check_allowed(obj, user, action):
    """Raise NotAllowed or WrongState unless `user` may take `action` on `obj` now."""
    from_status, _, perm = RULES[action]
    if not (user.is_active and user.has_perm(_perm(obj, perm))):
        who = "reviewers" if perm == "publish" else "editors and reviewers"
        raise NotAllowed(f"Only {who} can {VERBS[action]} {_kind(obj)}s.")
    if obj.status != from_status:
        raise WrongState(
            f"“{obj}” is {state_label(obj).lower()}, so it cannot be {_done(action)} now; "
            f"only a {_kind(obj)} that is {Status(from_status).label.lower()} can. "
            "Reload the page to see its current state."
        )
    if action == Action.PUBLISH and settings.DIGEST_FOUR_EYES:
        own = _own_stories(obj, user)
        if own:
            raise NotAllowed(
                f"You wrote or corrected {_names(own)}: another reviewer has to publish it "
                "(four eyes: nobody publishes text only they have checked)."
            )


def _own_stories(obj, user):
    """Stories `user` may not publish alone: written by them, or corrected by them in review.

    A reviewer's correction made after the story was submitted has been checked by nobody else,
    so for four eyes it counts as authorship (one query).
    """
    from issues.models import Issue

    from .models import Story, Transition

    story_type = ContentType.objects.get_for_model(Story)
    last_submit = (
        Transition.objects.filter(
            content_type=story_type, object_id=OuterRef(OuterRef("pk")), action=Action.SUBMIT
        )
        .order_by("-at")
        .values("at")[:1]
    )
    corrected_since_submit = Transition.objects.filter(
        content_type=story_type,
        object_id=OuterRef("pk"),
        action=Action.EDIT,
        by=user,
        at__gte=Coalesce(Subquery(last_submit), Value(EPOCH)),
    )
    if isinstance(obj, Issue):
        stories = _stories_of(obj).filter(status=Status.IN_REVIEW)
    else:
        stories = Story.objects.filter(pk=obj.pk)
    return list(stories.filter(Q(author=user) | Q(Exists(corrected_since_submit))))


def _done(action):
    return {
        Action.SUBMIT: "submitted",
        Action.REQUEST_CHANGES: "sent back",
        Action.PUBLISH: "published",
        Action.UNPUBLISH: "unpublished",
    }[action]


def allowed_actions(obj, user):
    """The transitions `user` may take on `obj` right now: one button each in the admin."""
    allowed = []
    for action in RULES:
        try:
            check_allowed(obj, user, action)
        except WorkflowError:
            continue
        allowed.append(action)
    return allowed


def state_label(obj):
    """ "Draft", "In review", "Published" or "Scheduled for <time, site time zone>"."""
    if obj.status == Status.PUBLISHED and obj.published_at and obj.published_at > timezone.now():
        return f"Scheduled for {format_time(obj.published_at)}"
    return Status(obj.status).label


def format_time(value):
    return formats.date_format(timezone.localtime(value), "j M Y, H:i T")


# ---------------------------------------------------------------------------------------------
# Pre-publish checks


def publish_problems(obj, at=None):
    """Everything that blocks publishing `obj`, in words an editor can act on ([] when ready)."""
    from issues.models import Issue

    if isinstance(obj, Issue):
        return _issue_problems(obj, at or timezone.now())
    return _story_problems(obj)


def _story_problems(story):
    problems = []
    if not story.summary.strip():
        problems.append("it needs a summary")
    # .all() rather than .exists(): an issue's check prefetches these for all its stories.
    if not story.sources.all():
        problems.append("it needs at least one source")
    if not story.companies.all():
        problems.append("it needs at least one company")
    if story.image and not story.image_alt.strip():
        problems.append("its image needs alt text")
    return problems


def _issue_problems(issue, at):
    """Three queries: the entries with their stories, their sources, their companies."""
    entries = list(
        issue.entries.select_related("story")
        .prefetch_related("story__sources", "story__companies")
        .order_by("position")
    )
    if not entries:
        return ["it has no stories yet"]
    problems = []
    positions = [entry.position for entry in entries]
    if positions != list(range(1, len(entries) + 1)):
        problems.append(
            "story positions must run 1, 2, 3… without gaps or repeats; they are now "
            + ", ".join(str(p) for p in positions)
        )
    stories = [entry.story for entry in entries]
    drafts = [story for story in stories if story.status == Status.DRAFT]
    if drafts:
        problems.append(
            f"these stories are still drafts: {_names(drafts)}; submit them or take them out"
        )
    for story in stories:
        if story.status == Status.IN_REVIEW:
            problems.extend(f"“{story}”: {problem}" for problem in _story_problems(story))
        elif story.status == Status.PUBLISHED and story.published_at > at:
            problems.append(
                f"“{story}” is scheduled for {format_time(story.published_at)}, "
                "after the issue would go out"
            )
    return problems


def _refuse_unless_ready(obj, at=None):
    problems = publish_problems(obj, at)
    if problems:
        raise NotReady(f"“{obj}” cannot be published yet: {'; '.join(problems)}.", problems)


# ---------------------------------------------------------------------------------------------
# The transition log


def record(obj, *, action, by, from_status, to_status, comment=""):
    from .models import Transition

    return Transition.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        from_status=from_status,
        to_status=to_status,
        action=action,
        by=by,
        comment=comment,
    )


def record_edit(obj, *, by, comment=""):
    """Record a correction of a story or issue that is in review or published."""
    return record(
        obj,
        action=Action.EDIT,
        by=by,
        from_status=obj.status,
        to_status=obj.status,
        comment=comment,
    )


def history(obj):
    """The object's transitions and comments, newest first (one query)."""
    from .models import Transition

    return Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("by")


def labelled(transitions):
    """Give each transition labels an editor can read ("Request changes", "In review")."""
    transitions = list(transitions)
    for transition in transitions:
        try:
            transition.action_label = Action(transition.action).label
        except ValueError:
            transition.action_label = transition.action
        transition.from_label = _status_label(transition.from_status)
        transition.to_label = _status_label(transition.to_status)
    return transitions


def _status_label(value):
    return Status(value).label if value in Status.values else value or "—"


def with_last_action(queryset):
    """Annotate `last_action` and `last_comment`: "Changes requested" lists use them."""
    from .models import Transition

    latest = Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(queryset.model),
        object_id=OuterRef("pk"),
    ).order_by("-at", "-pk")
    return queryset.annotate(
        last_action=Subquery(latest.values("action")[:1]),
        last_comment=Subquery(latest.values("comment")[:1]),
    )


# ---------------------------------------------------------------------------------------------
# The transitions


def _move(locked, *, action, by, to_status, published_at, comment="", log_action=None):
    from_status = locked.status
    locked.status = to_status
    locked.published_at = published_at
    locked.version += 1
    locked.save(update_fields=WORKFLOW_FIELDS)
    record(
        locked,
        action=log_action or action,
        by=by,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )


def _after_commit(send):
    # Mail goes out only once the step is saved; a mail failure is logged, never raised, so it
    # cannot make a successful publication look like a failed one.
    transaction.on_commit(send, robust=True)


def _lock(obj):
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def _refresh(obj, locked):
    for field in WORKFLOW_FIELDS:
        setattr(obj, field, getattr(locked, field))


def submit(obj, *, by):
    """Draft → in review: the author or any editor hands it to the reviewers."""
    with transaction.atomic():
        locked = _lock(obj)
        check_allowed(locked, by, Action.SUBMIT)
        _move(locked, action=Action.SUBMIT, by=by, to_status=Status.IN_REVIEW, published_at=None)
        _after_commit(lambda: notifications.submitted(locked, by=by))
    _refresh(obj, locked)
    return obj


def request_changes(obj, *, by, comment):
    """In review → draft, with a comment telling the author what to change."""
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError("Say what needs changing: the comment is what the author will read.")
    with transaction.atomic():
        locked = _lock(obj)
        check_allowed(locked, by, Action.REQUEST_CHANGES)
        _move(
            locked,
            action=Action.REQUEST_CHANGES,
            by=by,
            to_status=Status.DRAFT,
            published_at=None,
            comment=comment,
        )
        _after_commit(lambda: notifications.changes_requested(locked, by=by, comment=comment))
    _refresh(obj, locked)
    return obj


def publish(obj, *, by, at=None):
    """In review → published, now or at `at` (a future time: "scheduled").

    Nothing runs at the scheduled moment: the public gate compares published_at with the clock.
    Publishing an issue publishes the stories it holds that are in review, in this same
    transaction and with the same published_at.
    """
    from issues.models import Issue

    now = timezone.now()
    if at is not None and at <= now:
        raise WorkflowError(
            f"{format_time(at)} has already passed: choose a time in the future, or publish now."
        )
    when = at or now
    log_action = Action.SCHEDULE if at else Action.PUBLISH
    note = f"Scheduled for {format_time(when)}" if at else ""
    published_stories = []
    with transaction.atomic():
        locked = _lock(obj)
        check_allowed(locked, by, Action.PUBLISH)
        if isinstance(locked, Issue):
            # Lock the issue's stories too, so none changes state while the issue goes out.
            stories = list(_stories_of(locked).select_for_update(of=("self",)).order_by("pk"))
            _refuse_unless_ready(locked, when)
            for story in stories:
                if story.status == Status.IN_REVIEW:
                    _move(
                        story,
                        action=Action.PUBLISH,
                        by=by,
                        to_status=Status.PUBLISHED,
                        published_at=when,
                        comment=_joined(note, f"With issue #{locked.number}"),
                        log_action=log_action,
                    )
                    published_stories.append(story)
        else:
            _refuse_unless_ready(locked)
            published_stories.append(locked)
        _move(
            locked,
            action=Action.PUBLISH,
            by=by,
            to_status=Status.PUBLISHED,
            published_at=when,
            comment=note,
            log_action=log_action,
        )
        _after_commit(lambda: notifications.published(published_stories, by=by))
    _refresh(obj, locked)
    return obj


def _joined(*parts):
    return ". ".join(part for part in parts if part)


def unpublish(obj, *, by):
    """Published (or scheduled) → draft.

    Unpublishing a scheduled issue also takes back the stories scheduled with it, which would
    otherwise go live on their own; stories that are already public stay public.
    """
    from issues.models import Issue

    with transaction.atomic():
        locked = _lock(obj)
        check_allowed(locked, by, Action.UNPUBLISH)
        if isinstance(locked, Issue) and locked.published_at > timezone.now():
            scheduled = (
                _stories_of(locked)
                .select_for_update(of=("self",))
                .filter(status=Status.PUBLISHED, published_at=locked.published_at)
            )
            for story in scheduled:
                _move(
                    story,
                    action=Action.UNPUBLISH,
                    by=by,
                    to_status=Status.DRAFT,
                    published_at=None,
                    comment=f"With issue #{locked.number}",
                )
        _move(locked, action=Action.UNPUBLISH, by=by, to_status=Status.DRAFT, published_at=None)
    _refresh(obj, locked)
    return obj


PERFORM = {
    Action.SUBMIT: submit,
    Action.REQUEST_CHANGES: request_changes,
    Action.PUBLISH: publish,
    Action.UNPUBLISH: unpublish,
}


def bulk(objs, action, *, by):
    """Take `action` on every object or on none; raise WorkflowError naming each failure."""
    failures = []

    class _Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            for obj in objs:
                try:
                    with transaction.atomic():
                        PERFORM[action](obj, by=by)
                except WorkflowError as error:
                    failures.append(f"{error}")
            if failures:
                raise _Rollback
    except _Rollback:
        raise WorkflowError(
            f"Nothing was changed: {len(failures)} of {len(objs)} could not be "
            f"{_done(action)}. " + " ".join(failures),
            failures,
        ) from None
    return len(objs)
