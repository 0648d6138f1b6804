"""Previews of unpublished stories and issues: for the editorial team, and by share link.

Both render the public templates with a "Preview — not published" banner, `no-store` and
`noindex`. Anyone else gets the same 404 as for an address that never existed.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_safe

from .models import ShareLink
from .publishing import PublishableModel
from .workflow import permission

# Tokens from secrets.token_urlsafe(32) are 43 characters; anything much longer is not ours.
MAX_TOKEN_LENGTH = 100


def _no_store(response):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def may_preview(user, model):
    """Staff who may edit stories (or issues) preview them in any state."""
    return user.is_active and user.is_staff and user.has_perm(permission(model, "change"))


def render_preview(request, obj):
    """The object's newest text in the public design (the model renders it)."""
    return _no_store(obj.render_preview(request))


@require_safe
def preview_view(request, pk, model):
    """/preview/<kind>/<id>/ for the editorial team; the URLconf names the model."""
    if not may_preview(request.user, model):
        raise Http404
    return render_preview(request, get_object_or_404(model, pk=pk))


# ---------------------------------------------------------------------------------------------
# Share links


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_share_link(obj, *, by, days=None, note=""):
    """Create a link for one outside reader; returns (link, token).

    The token is shown once: only its hash is stored.
    """
    token = secrets.token_urlsafe(32)
    days = days or settings.DIGEST_SHARE_LINK_DAYS
    link = ShareLink.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        token_hash=hash_token(token),
        created_by=by,
        expires_at=timezone.now() + timedelta(days=days),
        note=note,
    )
    return link, token


def active_links(obj):
    return ShareLink.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("created_by")


def revoke(link):
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])


def shared_object(token):
    """The story or issue a valid token opens, or None (unknown, expired, revoked, deleted)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    link = (
        ShareLink.objects.filter(
            token_hash=hash_token(token),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("content_type")
        .first()
    )
    if link is None:
        return None
    model = link.content_type.model_class()
    if model is None or not issubclass(model, PublishableModel):
        return None
    return model.objects.filter(pk=link.object_id).first()


@require_safe
def share_view(request, token):
    obj = shared_object(token)
    if obj is None:
        raise Http404
    return render_preview(request, obj)


def share_url(request, token):
    from django.urls import reverse

    return request.build_absolute_uri(reverse("share", args=[token]))
