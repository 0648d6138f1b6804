"""Liveness and readiness for the load balancer or orchestrator.

/healthz: the process answers (no database, no cache). /readyz: the database and the cache
answer too; 503 naming what does not. Neither is cached, by anyone.
"""

import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    ready = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            **{k: "ok" if v else "down" for k, v in checks.items()},
        },
        status=200 if ready else 503,
    )


def _database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "not ready"; the answer says which part
        return False


def _cache_answers():
    token = uuid.uuid4().hex
    try:
        cache.set("readyz", token, 10)
        return cache.get("readyz") == token
    except Exception:  # a Redis that is down or times out (REDIS_TIMEOUT_MS)
        return False
