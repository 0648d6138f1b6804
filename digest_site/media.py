"""Uploaded images served by the app itself, where no web server stands in front of it
(`make run`, a lone gunicorn). In Docker, nginx serves /media/ from the volume and this view
is never reached; DIGEST_SERVE_MEDIA=false switches it off.

Only the image types uploads are stored as (editorial.images) are served, each with its type,
`nosniff`, a sandboxing Content-Security-Policy (an old upload stored before files were
checked cannot run as a page) and a year's cache: a stored name is random and never reused
for other bytes.
"""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


@require_safe
def media_file(request, path):
    if not settings.DIGEST_SERVE_MEDIA:
        raise Http404
    root = Path(settings.MEDIA_ROOT).resolve()
    file = (root / path).resolve()
    content_type = TYPES.get(file.suffix.lower())
    if content_type is None or not file.is_relative_to(root) or not file.is_file():
        raise Http404
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
