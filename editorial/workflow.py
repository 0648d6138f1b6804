"""The editorial workflow: submit, request changes, publish (a pinned revision), unpublish,
restore, and the log of every step.

Every step checks who asks and what state the object is in, runs in a transaction with the row
locked (two reviewers pressing Publish at once produce one transition), and writes a
`Transition`. Admin views only call these functions; a refused step raises a `WorkflowError`
whose message is written for the person who tried, and changes nothing.

States: `status` is what readers get (draft, in review, published). Edits to a published object
wait in a newer revision whose review state is `pending_status`; `working_status` is the state
of the newest text, the one every button and desk list asks about.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import formats, timezone

from . import notifications, revisions
from .models import Revision, Transition
from .publishing import Status
from .signals import went_live

WORKFLOW_FIELDS = [
    "status",
    "published_at",
    "content_changed_at",
    "pending_status",
    "version",
    "updated_at",
]


class Action(models.TextChoices):
    SUBMIT = "submit", "Submit for review"
    REQUEST_CHANGES = "request_changes", "Request changes"
    PUBLISH = "publish", "Publish"
    SCHEDULE = "schedule", "Schedule"
    UNPUBLISH = "unpublish", "Unpublish"
    RESTORE = "restore", "Restore"
    DELETE = "delete", "Delete"
    # Not a change of state: a reviewer corrected a story in review.
    EDIT = "edit", "Correction"
    # A draft created by importing a post (issues.importing), logged like a step.
    IMPORT = "import", "Imported"


# action: (the working state it starts from, the state it ends in, the permission it needs)
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
DONE = {
    Action.SUBMIT: "submitted",
    Action.REQUEST_CHANGES: "sent back",
    Action.PUBLISH: "published",
    Action.UNPUBLISH: "unpublished",
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
    """The user lacks the role (or, for four eyes, wrote some of the text)."""


class WrongState(WorkflowError):
    """The object is not in the state the step starts from (perhaps someone else was quicker)."""


class NotReady(WorkflowError):
    """Pre-publish checks failed; `problems` names each one."""


class FourEyes(NotAllowed):
    """The reviewer wrote or edited some of the text; `own` names the objects concerned."""

    def __init__(self, own):
        super().__init__(
            f"You wrote or edited {_names(own)}: another reviewer has to publish it "
            "(four eyes: nobody publishes text only they have checked)."
        )
        self.own = own


class Stale(WorkflowError):
    """The text changed after the reviewer opened it: what they saw is not what would go out."""


# ---------------------------------------------------------------------------------------------
# Who may do what


def permission(obj, kind):
    """ "stories.publish_story" for (a story or Story, "publish")."""
    opts = obj._meta
    return f"{opts.app_label}.{kind}_{opts.model_name}"


def _kind(obj):
    return obj._meta.verbose_name


def can_publish(user, obj):
    """Reviewers (and superusers): publish, schedule, unpublish, request changes, correct."""
    return user.is_active and user.has_perm(permission(obj, "publish"))


def can_edit(user, obj):
    """Whether `user` may change the content of `obj` now.

    Editors edit drafts, and published objects (their edits wait in review while readers keep
    the published text). Once submitted, only reviewers can change it until it comes back.
    """
    if not (user.is_active and user.has_perm(permission(obj, "change"))):
        return False
    return obj.working_status in (Status.DRAFT, Status.PUBLISHED) or can_publish(user, obj)


def _names(objs):
    return ", ".join(f"“{obj}”" for obj in objs)


def _state_of(obj, action):
    # Unpublish asks about the public row; every other step about the newest text.
    return obj.status if action == Action.UNPUBLISH else obj.working_status


def check_allowed(obj, user, action):
    """Raise NotAllowed or WrongState unless `user` may take `action` on `obj` now."""
    from_status, _, perm = RULES[action]
    if not (user.is_active and user.has_perm(permission(obj, perm))):
        who = "reviewers" if perm == "publish" else "editors and reviewers"
        raise NotAllowed(f"Only {who} can {VERBS[action]} {_kind(obj)}s.")
    if _state_of(obj, action) != from_status:
        raise WrongState(
            f"“{obj}” is {state_label(obj).lower()}, so it cannot be {DONE[action]} now; "
            f"only a {_kind(obj)} that is {Status(from_status).label.lower()} can. "
            "Reload the page to see its current state."
        )
    if action == Action.PUBLISH and settings.DIGEST_FOUR_EYES:
        own = own_work(obj, user)
        if own:
            raise FourEyes(own)


def _unreviewed_revisions(obj):
    """Revisions written since the text readers have: what the next publication would show.

    Revisions of one object are created in order, so a later one has a larger primary key.
    """
    return Revision.objects.of(obj).filter(pk__gt=obj.live_revision_id or 0)


def own_work(obj, user):
    """The objects among `obj` and those going out with it that `user` may not publish alone:
    named as their author, or holding a revision `user` wrote since the last publication."""
    candidates = [obj]
    children = obj.goes_out_with(revisions.content_of(obj))
    if children is not None:
        candidates += [child for child in children if child.status == Status.IN_REVIEW]
    return [
        candidate
        for candidate in candidates
        if candidate.written_by(user)
        or _unreviewed_revisions(candidate).filter(created_by=user).exists()
    ]


def refusal(obj, user, action):
    """Why `user` may not take `action` on `obj` now (a WorkflowError), or None."""
    try:
        check_allowed(obj, user, action)
    except WorkflowError as error:
        return error
    return None


def allowed_actions(obj, user):
    """The transitions `user` may take on `obj` right now: one button each in the admin."""
    return [action for action in RULES if refusal(obj, user, action) is None]


def state_label(obj):
    """ "Draft", "In review", "Published", "Scheduled for <time>", or with changes waiting."""
    if obj.is_scheduled:
        label = f"Scheduled for {format_time(obj.published_at)}"
    else:
        label = Status(obj.status).label
    if obj.has_pending_changes:
        label += f"; changes {Status(obj.pending_status).label.lower()}"
    return label


def format_time(value):
    return formats.date_format(timezone.localtime(value), "j M Y, H:i T")


# ---------------------------------------------------------------------------------------------
# Pre-publish checks


def publish_problems(obj, at=None, content=None):
    """Everything that blocks publishing `obj` (its newest text, or `content`) at `at`, in words
    an editor can act on ([] when ready)."""
    if content is None:
        content = revisions.content_of(obj)
    return obj.publish_problems(at or timezone.now(), content)


def _refuse_unless_ready(obj, at, content):
    problems = publish_problems(obj, at, content)
    if problems:
        raise NotReady(f"“{obj}” cannot be published yet: {'; '.join(problems)}.", problems)


# ---------------------------------------------------------------------------------------------
# The transition log


def record(obj, *, action, by, from_status, to_status, comment=""):
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
    """Record a reviewer's correction of something in review."""
    return record(
        obj,
        action=Action.EDIT,
        by=by,
        from_status=obj.working_status,
        to_status=obj.working_status,
        comment=comment,
    )


def record_deletion(obj, *, by):
    return record(
        obj,
        action=Action.DELETE,
        by=by,
        from_status=obj.status,
        to_status="",
        comment=f"Deleted {_kind(obj)} “{obj}”",
    )


def history(obj):
    """The object's transitions and comments, newest first (one query)."""
    return Transition.objects.of(obj).select_related("by")


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
    latest = Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(queryset.model),
        object_id=models.OuterRef("pk"),
    ).order_by("-at", "-pk")
    return queryset.annotate(
        last_action=models.Subquery(latest.values("action")[:1]),
        last_comment=models.Subquery(latest.values("comment")[:1]),
    )


def last_steps(objs, actions):
    """{pk: the newest transition among `actions`} for objects of one model, in one query."""
    objs = list(objs)
    if not objs:
        return {}
    found = {}
    steps = Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(objs[0]),
        object_id__in=[obj.pk for obj in objs],
        action__in=actions,
    ).select_related("by")
    for step in steps:  # newest first
        found.setdefault(step.object_id, step)
    return found


def latest_review_comment(obj):
    """The comment that sent the newest text back, while it is a draft again, else None."""
    if obj.working_status != Status.DRAFT:
        return None
    last = history(obj).filter(action__in=[Action.SUBMIT, Action.REQUEST_CHANGES]).first()
    return last if last is not None and last.action == Action.REQUEST_CHANGES else None


# ---------------------------------------------------------------------------------------------
# The transitions


def _after_commit(send):
    # Mail goes out only once the step is saved; a mail failure is logged, never raised, so it
    # cannot make a successful publication look like a failed one.
    transaction.on_commit(send, robust=True)


def _lock(obj):
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def _refresh(obj, locked):
    for field in [*WORKFLOW_FIELDS, "latest_revision_id", "live_revision_id"]:
        setattr(obj, field, getattr(locked, field))


def _set_state(locked, **values):
    """Write workflow columns only: a change of state never touches the public text."""
    for name, value in values.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save(update_fields=WORKFLOW_FIELDS)


def _set_pending(obj, status):
    """The review state of changes waiting on a public object. Nothing public changes, so this
    is an update() that fires no "content changed" signal and keeps updated_at (which readers
    see as the date modified)."""
    type(obj).objects.filter(pk=obj.pk).update(pending_status=status, version=F("version") + 1)
    obj.pending_status = status
    obj.version += 1


def _set_working_status(locked, status):
    """Move the newest text to `status`: the pending changes of a public object, else the row."""
    if locked.is_live:
        _set_pending(locked, status)
    else:
        _set_state(locked, status=status, published_at=None)


def _write_draft(locked, content):
    """Make `content` the object's rows as a draft (it is not public, or stops being so)."""
    revisions.apply_fields(locked, content)
    locked.status, locked.published_at, locked.pending_status = Status.DRAFT, None, ""
    locked.version += 1
    locked.save()
    revisions.apply_related(locked, content)


def keep_revision(obj, *, by, content=None):
    """What a save does to the workflow: keep the text as the newest revision.

    On a public object that is all: the rows stay as readers know them and the changes wait,
    as a draft, for review (a reviewer's edit of changes in review keeps them in review). A
    reviewer's edit of text in review is logged. The caller holds the row lock (the admin's
    lost-update check). Returns the revision, or None when nothing changed.
    """
    revision = revisions.save_revision(obj, by=by, content=content)
    if revision is None:
        return None
    if obj.is_live:
        _set_pending(obj, obj.pending_status or Status.DRAFT)
    if obj.working_status == Status.IN_REVIEW:
        record_edit(obj, by=by, comment=f"Saved revision {revision.number}")
    return revision


def keep_imported(obj, *, by, note=""):
    """What creating a draft by import does to the workflow: the first revision, as a save in
    the admin keeps it (with `note` saying where it came from), and an entry in the log."""
    revision = revisions.save_revision(obj, by=by, note=note[:300])
    record(
        obj,
        action=Action.IMPORT,
        by=by,
        from_status="",
        to_status=Status.DRAFT,
        comment=note,
    )
    return revision


def submit(obj, *, by):
    """Draft → in review: the author or any editor hands the newest text to the reviewers."""
    with transaction.atomic():
        locked = _lock(obj)
        check_allowed(locked, by, Action.SUBMIT)
        ensure_revision(locked, by=by)
        _set_working_status(locked, Status.IN_REVIEW)
        record(
            locked,
            action=Action.SUBMIT,
            by=by,
            from_status=Status.DRAFT,
            to_status=Status.IN_REVIEW,
            comment="Changes to the published text" if locked.is_live else "",
        )
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
        _set_working_status(locked, Status.DRAFT)
        record(
            locked,
            action=Action.REQUEST_CHANGES,
            by=by,
            from_status=Status.IN_REVIEW,
            to_status=Status.DRAFT,
            comment=comment,
        )
        _after_commit(lambda: notifications.changes_requested(locked, by=by, comment=comment))
    _refresh(obj, locked)
    return obj


def ensure_revision(obj, *, by=None):
    """Objects made outside the admin (a shell, an import) get their first revision: the text
    their rows hold. Returns the newest revision's id."""
    if obj.latest_revision_id is None:
        revisions.save_revision(obj, by=by, note="The text its rows held")
    return obj.latest_revision_id


# Publishing without naming a revision takes the newest: for code that reviews nothing itself
# (tests, scripts). The admin always names the one on the reviewer's screen.
NEWEST = None


def _pinned(locked, revision):
    """The revision to publish: the one the reviewer saw, refused if anything is newer."""
    latest_id = ensure_revision(locked)
    wanted = getattr(revision, "pk", revision)
    if wanted is not NEWEST and wanted != latest_id:
        raise Stale(
            f"“{locked}” changed since you opened it: review it again. "
            "Reload the page to see the newest text and its differences."
        )
    return Revision.objects.get(pk=latest_id)


def _write_live(locked, revision, **state):
    """Copy `revision` onto the live row and its related rows, with the new state."""
    revisions.apply_fields(locked, revision.content)
    for name, value in state.items():
        setattr(locked, name, value)
    locked.live_revision = revision
    locked.version += 1
    try:
        with transaction.atomic():
            locked.save()
            revisions.apply_related(locked, revision.content)
    except IntegrityError:
        raise NotReady(
            f"“{locked}” cannot be published: its text clashes with another {_kind(locked)} "
            "(a web address or number used twice, or a story already in another issue)."
        ) from None


def publish(obj, *, by, at=None, revision=NEWEST, story_revisions=None, correction=""):
    """In review → published, now or at `at` (a future time: "scheduled").

    `revision` is the revision the reviewer looked at; if a newer one exists the step is
    refused. Exactly that revision's content is written onto the live rows. Publishing an issue
    publishes the unpublished stories it holds that are in review, in this same transaction and
    at the same moment; `story_revisions` ({story id: revision id}) pins those, and once given,
    a story without a pin is refused (someone submitted it after the reviewer looked). Changes
    to a story that is already public go out on their own, with their own diff and correction.
    `correction` adds a public correction note to a changed story.
    """
    now = timezone.now()
    if at is not None and at <= now:
        raise WorkflowError(
            f"{format_time(at)} has already passed: choose a time in the future, or publish now."
        )
    correction = (correction or "").strip()
    published = []
    with transaction.atomic():
        locked = _lock(obj)
        check_allowed(locked, by, Action.PUBLISH)
        pinned = _pinned(locked, revision)
        if locked.is_live and at is not None:
            raise WorkflowError(
                f"“{locked}” is already public: its changes go live now, they cannot be "
                "scheduled. Publish them now, or wait and publish them later."
            )
        if correction and not (locked.is_live and locked.accepts_corrections):
            raise WorkflowError(
                "A correction note is for changes to a published story; leave it empty here."
            )
        when = locked.published_at if locked.is_live else (at or now)
        children = locked.goes_out_with(pinned.content)
        going = []
        if children is not None:
            # Lock the children too, so none changes state while this goes out.
            going = [
                child
                for child in children.select_for_update(of=("self",)).order_by("pk")
                if child.status == Status.IN_REVIEW
            ]
        _refuse_unless_ready(locked, when, pinned.content)
        # Stories joining an issue that is already public go out now, not back-dated.
        child_when = now if locked.is_live else when
        for child in going:
            if story_revisions is None:
                child_pin = _pinned(child, NEWEST)
            else:
                child_pin = _pinned(child, story_revisions.get(child.pk, "not shown"))
            _publish_one(child, child_pin, by=by, when=child_when, at=at, now=now, parent=locked)
            published.append(child)
        _publish_one(locked, pinned, by=by, when=when, at=at, now=now)
        published.append(locked)
        if correction:
            locked.add_correction(correction, revision=pinned, at=now)
        _after_commit(lambda: notifications.published(published, by=by))
    _refresh(obj, locked)
    return obj


def _publish_one(locked, revision, *, by, when, at, now, parent=None):
    was_live = locked.is_live
    from_status = locked.working_status
    _write_live(
        locked,
        revision,
        status=Status.PUBLISHED,
        published_at=locked.published_at if was_live else when,
        # Readers see the change now, or when a new publication goes (or went) public.
        content_changed_at=now if was_live else when,
        pending_status="",
    )
    scheduled = at is not None and not was_live
    notes = [f"Revision {revision.number}"]
    if scheduled:
        notes.append(f"Scheduled for {format_time(when)}")
    if was_live:
        notes.append("Changes to the published text")
    if parent is not None:
        notes.append(f"With {parent}")
    record(
        locked,
        action=Action.SCHEDULE if scheduled else Action.PUBLISH,
        by=by,
        from_status=from_status,
        to_status=Status.PUBLISHED,
        comment=". ".join(notes),
    )
    went_live.send(sender=type(locked), instance=locked, first_time=not was_live)


def unpublish(obj, *, by):
    """Published (or scheduled) → draft: readers lose it at once.

    Changes waiting in a newer revision become the draft, so nothing typed is lost.
    Unpublishing a scheduled issue also takes back the stories scheduled with it, which would
    otherwise go live on their own; stories that are already public stay public.
    """
    with transaction.atomic():
        locked = _lock(obj)
        check_allowed(locked, by, Action.UNPUBLISH)
        if locked.is_scheduled:
            children = locked.goes_out_with(revisions.serialize(locked))
            for child in (
                children.select_for_update(of=("self",)).filter(
                    status=Status.PUBLISHED, published_at=locked.published_at
                )
                if children is not None
                else ()
            ):
                _take_back(child, by=by, comment=f"With {locked}")
        _take_back(locked, by=by)
    _refresh(obj, locked)
    return obj


def _take_back(locked, *, by, comment=""):
    # Readers lose it now: the pages that listed it (its issue, timelines) changed.
    locked.content_changed_at = timezone.now()
    if locked.has_pending_changes:
        _write_draft(locked, revisions.content_of(locked))
    else:
        _set_state(locked, status=Status.DRAFT, published_at=None, pending_status="")
    record(
        locked,
        action=Action.UNPUBLISH,
        by=by,
        from_status=Status.PUBLISHED,
        to_status=Status.DRAFT,
        comment=comment,
    )


def restore(obj, revision, *, by):
    """Make an older revision's text the newest draft; it goes through review again.

    The published text (if any) stays public until that draft is published.
    """
    with transaction.atomic():
        locked = _lock(obj)
        if not can_edit(by, locked):
            raise NotAllowed(
                f"You cannot change “{locked}” now, so you cannot restore an older text of it."
            )
        old = Revision.objects.of(locked).filter(pk=getattr(revision, "pk", revision)).first()
        if old is None:
            raise WorkflowError("That revision does not belong to this object.")
        from_status = locked.working_status
        new = revisions.save_revision(
            locked, by=by, content=old.content, note=f"Restored from revision {old.number}"
        )
        if new is None:
            raise WorkflowError(
                f"Revision {old.number} is the same as the newest text: nothing to restore."
            )
        if locked.is_live:
            _set_working_status(locked, Status.DRAFT)
        else:
            _write_draft(locked, old.content)
        record(
            locked,
            action=Action.RESTORE,
            by=by,
            from_status=from_status,
            to_status=Status.DRAFT,
            comment=f"Restored revision {old.number} as revision {new.number}",
        )
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
            f"{DONE[action]}. " + " ".join(failures),
            failures,
        ) from None
    return len(objs)
