"""The page cache: rendered public pages kept in each web process, never served stale.

One module per concern:
- `epochs`: which stored pages are still true. Every process listens on PostgreSQL for
  "public content changed" (LISTEN/NOTIFY, sent in the same transaction as the change) and
  starts a new *epoch* when told, or when its listening connection was lost: pages stored in
  an older epoch are never served. Without a working listener nothing is served from the cache.
- `horizon`: no stored page outlives the next scheduled publication.
- `invalidation`: the one rule for which saves can change what readers see.
- `store`: the pages themselves (per process, bounded) and their keys.
- `validators`: ETag and Cache-Control for browsers and proxies.
- `middleware`: answering readers from the store before sessions and CSRF, and the
  `public_page` decorator that renders and stores.

No Redis is involved: a hit costs no network round trip, and Redis being down or slow has no
effect on pages. See README, "Page cache".
"""

from .middleware import PageCacheMiddleware, public_page

__all__ = ["PageCacheMiddleware", "public_page"]
