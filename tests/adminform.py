"""Fill an admin change form the way a browser would, from the page the admin rendered."""

from django.db.models.fields.files import FieldFile
from django.urls import reverse


def _value(bound):
    value = bound.value()
    if value is None or isinstance(value, FieldFile):
        return None
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def form_data(response, **overrides):
    """The POST data of the admin form in `response`, as rendered, with `overrides` applied."""
    context = response.context
    forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for name in form.fields:
            bound = form[name]
            value = _value(bound)
            if value is not None:
                data[bound.html_name] = value
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def save_change_form(client, user, obj, **changes):
    """`user` opens `obj`'s change page, changes some fields and saves; the save must succeed."""
    client.force_login(user)
    data = form_data(client.get(change_url(obj)), **changes)
    response = client.post(change_url(obj), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    obj.refresh_from_db()
    return obj
