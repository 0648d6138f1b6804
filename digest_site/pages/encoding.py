"""Compressed public pages: Brotli or gzip for clients that accept them, plain for the others.

A stored page is compressed once, when it is stored, and keeps its plain bytes and each
encoding's bytes side by side: a hit only picks one (no compression, no decompression on the
hit path). Each encoding has its own strong ETag (the plain one with "-br" or "-gzip"), as
HTTP requires of different bytes, and every variant says `Vary: Accept-Encoding` so that
browsers and proxies (nginx's micro-cache among them) keep them apart.

Only public answers are compressed: pages for anonymous readers, the same bytes for everyone,
holding no secret. BREACH needs a secret (a CSRF token, a session's data) in a compressed body
that also reflects what an attacker sends; answers that are private, carry a nonce or set a
cookie (the admin, previews, pages for people signed in) are therefore sent as they are.

Levels, measured on the home page (23 KB of HTML) on the development machine: gzip 6 gives
6.3 KB in about 1 ms, Brotli 5 gives 5.7 KB in about 1 ms; Brotli 9 and 11 save 0.5 to 15 % more
but take 40 to 80 ms, too much for the first reader after every publication.
"""

import gzip
from typing import NamedTuple

import brotli

GZIP_LEVEL = 6
BROTLI_QUALITY = 5
# Below this, the headers a compressed answer adds outweigh what it saves.
MIN_BYTES = 200
# Preferred first when a client accepts several.
ENCODINGS = ("br", "gzip")
# Text formats the site answers with; images and the like are compressed already.
TYPES = (
    "text/html",
    "text/plain",
    "text/css",
    "text/xml",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/json",
    "application/ld+json",
    "image/svg+xml",
)


class Variant(NamedTuple):
    etag: str
    content: bytes


def compress(content, encoding):
    if encoding == "br":
        return brotli.compress(content, quality=BROTLI_QUALITY)
    # mtime=0: the same page compresses to the same bytes in every process (one ETag).
    return gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0)


def variant_etag(etag, encoding):
    """`"abc"` → `"abc-br"`: a strong ETag of its own for each encoding's bytes."""
    return f'{etag[:-1]}-{encoding}"' if etag.endswith('"') else etag


def compressible(response):
    """Whether this answer's body may be compressed: text, large enough, not encoded yet."""
    content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return (
        content_type in TYPES
        and not response.has_header("Content-Encoding")
        and len(response.content) >= MIN_BYTES
    )


def variants(content, etag):
    """{encoding: Variant} of a page about to be stored: every encoding, once."""
    return {encoding: Variant(variant_etag(etag, encoding), compress(content, encoding))
            for encoding in ENCODINGS}  # fmt: skip


_accepted = {}
_ACCEPTED_MAX = 256


def accepted(header):
    """The encoding to answer a request's Accept-Encoding with ("br", "gzip" or None).

    Remembered per header value: browsers send a handful of distinct values, and a stored
    page's answer should not spend its time parsing the same one again.
    """
    try:
        return _accepted[header]
    except KeyError:
        pass
    choice = _parse(header)
    if len(_accepted) >= _ACCEPTED_MAX:
        _accepted.clear()
    _accepted[header] = choice
    return choice


def _parse(header):
    """RFC 9110 12.5.3: tokens with optional weights; q=0 means "not acceptable". Among the
    acceptable encodings the highest weight wins, Brotli on a tie (it is smaller)."""
    weights = {}
    for part in header.split(","):
        token, _, params = part.partition(";")
        token = token.strip().lower()
        if not token:
            continue
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
        weights[token] = weight
    best, best_weight = None, 0.0
    for encoding in ENCODINGS:
        weight = weights.get(encoding, weights.get("*", 0.0))
        if weight > best_weight:
            best, best_weight = encoding, weight
    return best
