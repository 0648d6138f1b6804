"""Which saves can change what readers see: the one rule, for every content model.

- A story or an issue faces readers while its status is published (now, or scheduled: a new
  schedule moves the horizon). Saving or deleting one announces a change when it faced
  readers before or faces them after. Drafts, reviews, and changes waiting in revisions
  of a published text (kept off the live row until publication) announce nothing.
- Rows that belong to a story or an issue (sources, corrections, bylines, issue membership,
  tags) announce a change when a story or issue they belong to faces readers.
- The registry (companies, platforms, topics) and the authors (with their links) appear by
  name, address and photo on public pages: every change to them is announced.
- The site settings (name, tagline, logo, favicon, social image, footer) are on every page:
  every change to them is announced (pages, and the frame kept by {% constant %}, follow the
  new epoch).

Statuses are read from the database, not from the instance being saved, which may be stale.
Code that changes public rows with QuerySet.update() or bulk_create() sends no signals and must
call epochs.announce_change() itself.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from editorial.publishing import Status

from .epochs import announce_change


def _faces_readers(model, pk):
    return pk is not None and model.objects.filter(pk=pk, status=Status.PUBLISHED).exists()


def _before_publishable_save(sender, instance, **kwargs):
    # Whether the row faced readers before this save; a new row never did.
    instance._faced_readers = not instance._state.adding and (
        instance.status != Status.PUBLISHED and _faces_readers(sender, instance.pk)
    )


def _after_publishable_save(sender, instance, **kwargs):
    if instance.status == Status.PUBLISHED or getattr(instance, "_faced_readers", False):
        announce_change()


def _before_publishable_delete(sender, instance, **kwargs):
    if _faces_readers(sender, instance.pk):
        announce_change()


def _owned_row_changed(owners):
    def receiver(sender, instance, **kwargs):
        for field in owners:
            model = sender._meta.get_field(field).related_model
            if _faces_readers(model, getattr(instance, f"{field}_id")):
                announce_change()
                return

    return receiver


def _registry_changed(sender, **kwargs):
    announce_change()


def _tags_changed(sender, instance, action, reverse, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    # reverse: a company's stories were changed from the company's side.
    if reverse or _faces_readers(type(instance), instance.pk):
        announce_change()


def connect():
    from companies.models import Company, Platform, Topic
    from issues.models import Issue, IssueStory
    from sitesettings.models import SiteSettings
    from stories.models import Author, AuthorLink, Byline, Correction, Source, Story

    for model in (Story, Issue):
        uid = f"pages_{model._meta.label}"
        pre_save.connect(_before_publishable_save, sender=model, dispatch_uid=uid)
        post_save.connect(_after_publishable_save, sender=model, dispatch_uid=uid)
        pre_delete.connect(_before_publishable_delete, sender=model, dispatch_uid=uid)
    for model, owners in (
        (Source, ("story",)),
        (Correction, ("story",)),
        (Byline, ("story",)),
        (IssueStory, ("issue", "story")),
    ):
        receiver = _owned_row_changed(owners)
        uid = f"pages_{model._meta.label}"
        # weak=False: the receiver is a closure nobody else holds.
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid)
        pre_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid)
    for model in (Company, Platform, Topic, Author, AuthorLink, SiteSettings):
        uid = f"pages_{model._meta.label}"
        post_save.connect(_registry_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_registry_changed, sender=model, dispatch_uid=uid)
    for field in ("companies", "platforms", "topics"):
        through = getattr(Story, field).through
        m2m_changed.connect(_tags_changed, sender=through, dispatch_uid=f"pages_tags_{field}")
