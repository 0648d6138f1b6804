"""Revisions: the whole content of a story or issue, kept at every save, compared and restored.

A model says what its content is with a `RevisionSpec` (fields, tags, children). This module
turns an object (or an admin form about to be saved) into that content, writes content back
onto the live row when a revision is published, and compares two contents for the diff view.
(Data migrations keep their own frozen copy of the serializer: a spec can change later.)
"""

import copy
import difflib
import json
import re
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .models import Revision


def _child_value(child, name):
    field = child._meta.get_field(name)
    return field.value_from_object(child)


def serialize(obj):
    """The object's content as stored on its rows: {"fields", "tags", "children"}."""
    spec = obj.revision_spec
    opts = obj._meta
    fields = {name: opts.get_field(name).value_to_string(obj) for name in spec.fields}
    tags = {name: sorted(getattr(obj, name).values_list("pk", flat=True)) for name in spec.tags}
    children = {
        accessor: [
            {name: _child_value(child, name) for name in child_fields}
            for child in getattr(obj, accessor).all()
        ]
        for accessor, child_fields in spec.children.items()
    }
    return {"fields": fields, "tags": tags, "children": children}


def serialize_form(obj, form, formsets, base_content):
    """The content an admin form would save, without saving it (edits to a published row).

    Fields the form does not show, and the rows of `formsets` passed as None (inlines the user
    may not change), keep their value from `base_content`.
    """
    spec = obj.revision_spec
    instance = form.instance  # already carries the cleaned values (ModelForm._post_clean)
    fields = dict(base_content.get("fields", {}))
    for name in spec.fields:
        if name not in form.cleaned_data:
            continue
        field = instance._meta.get_field(name)
        if isinstance(field, models.FileField):
            # An uploaded file is stored now; the revision keeps its name.
            field.pre_save(instance, add=False)
        fields[name] = field.value_to_string(instance)
    tags = dict(base_content.get("tags", {}))
    for name in spec.tags:
        if name in form.cleaned_data:
            tags[name] = sorted(item.pk for item in form.cleaned_data[name])
    children = dict(base_content.get("children", {}))
    for formset in formsets:
        if formset is None:
            continue
        accessor = formset.fk.remote_field.get_accessor_name()
        if accessor not in spec.children:
            continue
        rows = []
        for child_form in formset.forms:
            data = getattr(child_form, "cleaned_data", None)
            if not data or formset._should_delete_form(child_form):
                continue
            rows.append(
                {name: _form_value(data[name]) for name in spec.children[accessor] if name in data}
            )
        if rows and "position" in rows[0]:
            rows.sort(key=lambda row: row["position"] or 0)
        children[accessor] = rows
    return {"fields": fields, "tags": tags, "children": children}


def _form_value(value):
    return value.pk if isinstance(value, models.Model) else value


def save_revision(obj, *, by, content=None, note=""):
    """Keep `content` (default: what the rows hold) as the object's newest revision.

    Returns the new revision, or None when the content equals the newest one (a save without
    changes keeps no duplicate). Costs three queries.
    """
    content = content if content is not None else serialize(obj)
    latest = Revision.objects.of(obj).order_by("-number").only("number", "content").first()
    if latest is not None and _same(latest.content, content):
        return None
    revision = Revision.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        number=(latest.number if latest else 0) + 1,
        content=content,
        created_by=by,
        note=note,
    )
    # A pointer, not content: update() so that no "public content changed" signal fires.
    type(obj).objects.filter(pk=obj.pk).update(latest_revision=revision)
    obj.latest_revision = revision
    return revision


def _same(a, b):
    return _jsonish(a) == _jsonish(b)


def _jsonish(content):
    """Content as it reads back from the JSON column (dates as strings, tuples as lists)."""
    return json.loads(json.dumps(content, cls=DjangoJSONEncoder))


def content_of(obj):
    """The working content: the newest revision's, or the rows' when none is kept yet.

    Costs a query the first time for an object; the revision is then cached on it.
    """
    if obj.latest_revision_id:
        return obj.latest_revision.content
    return serialize(obj)


def contents_of(objs):
    """{pk: working content} for many objects of one model, in one query (plus one per object
    that has no revision yet)."""
    objs = list(objs)
    stored = Revision.objects.in_bulk(
        [obj.latest_revision_id for obj in objs if obj.latest_revision_id]
    )
    return {
        obj.pk: stored[obj.latest_revision_id].content
        if obj.latest_revision_id in stored
        else serialize(obj)
        for obj in objs
    }


def working_copy(obj):
    """An unsaved copy of `obj` as its newest revision reads, for previews (the caller's object
    stays as it is). Related rows are not copied: `content_of(copy)` has them."""
    content = content_of(obj)
    duplicate = copy.copy(obj)
    apply_fields(duplicate, content)
    duplicate.render_html()
    return duplicate


def apply_fields(obj, content):
    """Set the object's own fields from `content` (in memory; the caller saves)."""
    for name, value in content.get("fields", {}).items():
        field = obj._meta.get_field(name)
        setattr(obj, field.attname, None if value is None else field.to_python(value))


def apply_related(obj, content):
    """Make the object's tags and children those of `content` (the row must be saved).

    Tags or child rows pointing at something deleted since are left out.
    """
    spec = obj.revision_spec
    current = serialize(obj)
    for name in spec.tags:
        wanted = content.get("tags", {}).get(name, [])
        if sorted(wanted) != current["tags"].get(name):
            related = obj._meta.get_field(name).related_model
            getattr(obj, name).set(related.objects.filter(pk__in=wanted))
    for accessor, child_fields in spec.children.items():
        wanted = content.get("children", {}).get(accessor, [])
        if _jsonish(wanted) == _jsonish(current["children"].get(accessor, [])):
            continue
        manager = getattr(obj, accessor)
        manager.all().delete()
        for row in wanted:
            kwargs = {}
            for name in child_fields:
                field = manager.model._meta.get_field(name)
                value = row.get(name)
                if field.is_relation:
                    if value is None or not field.related_model.objects.filter(pk=value).exists():
                        break
                    kwargs[field.attname] = value
                else:
                    kwargs[name] = field.to_python(value)
            else:
                manager.create(**kwargs)


# ---------------------------------------------------------------------------------------------
# Comparing two revisions


class Change(NamedTuple):
    """One difference between two contents, ready for the template.

    kind: "text" (segments of (op, words)), "value" (old, new), "list" (removed, added,
    moved).
    """

    label: str
    kind: str
    segments: list = []
    old: str = ""
    new: str = ""
    removed: list = []
    added: list = []
    moved: list = []


_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old, new):
    """[(op, text)] with op in equal/delete/insert, word by word."""
    a, b = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    segments = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("insert", "".join(b[j1:j2])))
    return segments


def diff(model, old, new):
    """The changes from content `old` to content `new` of a `model` object, as Changes."""
    spec = model.revision_spec
    opts = model._meta
    changes = []
    for name in spec.fields:
        field = opts.get_field(name)
        before = old.get("fields", {}).get(name) or ""
        after = new.get("fields", {}).get(name) or ""
        if before == after:
            continue
        label = str(field.verbose_name).capitalize()
        if isinstance(field, models.CharField | models.TextField):
            changes.append(Change(label, "text", segments=word_diff(before, after)))
        else:
            changes.append(Change(label, "value", old=before or "—", new=after or "—"))
    for name in spec.tags:
        field = opts.get_field(name)
        before = set(old.get("tags", {}).get(name, []))
        after = set(new.get("tags", {}).get(name, []))
        if before == after:
            continue
        names = field.related_model.objects.in_bulk(before | after)
        changes.append(
            Change(
                str(field.verbose_name).capitalize(),
                "list",
                removed=sorted(str(names.get(pk, f"#{pk} (deleted)")) for pk in before - after),
                added=sorted(str(names.get(pk, f"#{pk} (deleted)")) for pk in after - before),
            )
        )
    for accessor, child_fields in spec.children.items():
        change = _children_change(model, accessor, child_fields, old, new)
        if change is not None:
            changes.append(change)
    return changes


def _children_change(model, accessor, child_fields, old, new):
    child_model = model._meta.get_field(accessor).related_model
    before = old.get("children", {}).get(accessor, [])
    after = new.get("children", {}).get(accessor, [])
    if _jsonish(before) == _jsonish(after):
        return None
    keys = [name for name in child_fields if name != "position"]
    labels = _child_labels(child_model, keys, before + after)

    def key(row):
        return tuple(row.get(name) for name in keys)

    old_positions = {key(row): index for index, row in enumerate(before, start=1)}
    new_positions = {key(row): index for index, row in enumerate(after, start=1)}
    removed = [labels(row) for row in before if key(row) not in new_positions]
    added = [labels(row) for row in after if key(row) not in old_positions]
    moved = [
        f"{labels(row)}: {old_positions[key(row)]} → {new_positions[key(row)]}"
        for row in after
        if key(row) in old_positions and old_positions[key(row)] != new_positions[key(row)]
    ]
    if not (removed or added or moved):
        return None
    label = str(child_model._meta.verbose_name_plural).capitalize()
    return Change(label, "list", removed=removed, added=added, moved=moved)


def _child_labels(child_model, keys, rows):
    """A function that names a child row in words: "Reuters: https://…", a story's headline."""
    lookups = {}
    for name in keys:
        field = child_model._meta.get_field(name)
        if field.is_relation:
            ids = {row.get(name) for row in rows if row.get(name) is not None}
            lookups[name] = field.related_model.objects.in_bulk(ids)

    def label(row):
        parts = []
        for name in keys:
            value = row.get(name)
            if name in lookups:
                value = lookups[name].get(value, f"#{value} (deleted)")
            parts.append(str(value))
        return ": ".join(parts)

    return label
