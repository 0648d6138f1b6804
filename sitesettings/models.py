"""The publication's identity, edited by admins: name, tagline, logo, favicon, default social
image and footer. One row (pk 1); until an admin saves it, the environment's SITE_NAME and
SITE_TAGLINE stand in.

Readers' pages read it through `current()`, which keeps the row per page-cache epoch: the site's
wiring (digest_site) tells this module how to ask for the epoch (`use_generation`), and saving
the row announces a change (digest_site.pages.invalidation), which starts a new epoch in every
process. So a page costs no query for it while the epoch lasts, and every process shows a change
on its next page.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q

from editorial import cards
from editorial.images import SafeImageField
from editorial.renditions import RenditionsField

SINGLETON_PK = 1


def _default_name():
    return settings.SITE_NAME


def _default_tagline():
    return settings.SITE_TAGLINE


class SiteSettings(models.Model):
    name = models.CharField(
        "site name",
        max_length=100,
        default=_default_name,
        help_text="The publication's name, in the masthead, page titles and feeds.",
    )
    tagline = models.CharField(
        max_length=200,
        blank=True,
        default=_default_tagline,
        help_text="One line under the name, and the description of pages that have none.",
    )
    logo = SafeImageField(
        upload_to="site/",
        blank=True,
        help_text="Shown before the name in the masthead, about 40 pixels high. "
        "Leave empty for the name alone.",
    )
    favicon = SafeImageField(
        upload_to="site/",
        blank=True,
        help_text="The small icon of browser tabs and bookmarks: a square PNG, "
        "180 × 180 pixels or more. Leave empty for the built-in icon.",
    )
    social_image = SafeImageField(
        "default social image",
        upload_to="site/",
        blank=True,
        renditions_field="social_image_renditions",
        help_text="The picture of a shared link to a page without an image of its own "
        "(1200 × 630 pixels suits every network). Leave empty for a card drawn with the name "
        "and tagline.",
    )
    # Its renditions (editorial.renditions): pages print the 1200-wide one from the row.
    social_image_renditions = RenditionsField()
    footer = models.TextField(
        blank=True,
        max_length=1000,
        help_text="A few lines at the foot of every page, in Markdown: for example who "
        "publishes the digest and how to reach them. Links are allowed; images and HTML are not.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"
        constraints = [
            # One row: current() reads pk 1, and the admin edits that row only.
            models.CheckConstraint(condition=Q(id=SINGLETON_PK), name="sitesettings_one_row"),
        ]

    def __str__(self):
        return "Site settings"

    def save(self, *args, **kwargs):
        self.pk = SINGLETON_PK
        super().save(*args, **kwargs)
        # The card of pages without an image draws the name and tagline: draw the new one
        # before any page names it.
        brand = (self.name, self.tagline)
        transaction.on_commit(lambda: cards.ensure_brand_card(brand_now=brand))

    @property
    def frame_key(self):
        """Everything the page frame (masthead, footer, head links) prints from the settings:
        a frame stored under another key is out of date."""
        return (
            self.name,
            self.tagline,
            self.logo.name or "",
            self.favicon.name or "",
            self.social_image.name or "",
            self.footer,
        )


# --- What readers' pages read ----------------------------------------------------------------

_generation = None  # a function: the current generation of public content, or None if unknown
_cached = (None, None)  # (generation, SiteSettings)


def use_generation(function):
    """Keep the settings while `function()` returns the same value (not None); the site's
    wiring passes the page cache's epoch."""
    global _generation
    _generation = function


def current():
    """The site settings readers see: the row, or the environment's defaults while there is
    none. One query when the generation changed (or is unknown), none otherwise."""
    global _cached
    # Taken before reading: a change committed meanwhile leaves a stale copy under the old
    # generation, which the next call does not trust.
    generation = _generation() if _generation is not None else None
    cached_generation, found = _cached
    if generation is not None and cached_generation == generation:
        return found
    found = SiteSettings.objects.filter(pk=SINGLETON_PK).first() or SiteSettings()
    _cached = (generation, found)
    return found


def brand():
    """(name, tagline) as readers see them (editorial.cards draws them on social cards)."""
    found = current()
    return found.name, found.tagline


def forget():
    """Drop the kept copy (tests, whose rolled-back rows announce nothing)."""
    global _cached
    _cached = (None, None)
