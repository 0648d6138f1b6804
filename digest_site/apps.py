from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class DigestSiteConfig(AppConfig):
    """The site's wiring: every process (web workers, management commands) announces changes
    that readers can see to the page cache. Content apps know nothing of it."""

    name = "digest_site"
    label = "digest_site"
    verbose_name = "Digest site"

    def ready(self):
        from digest_site.pages import epochs, invalidation
        from editorial import cards
        from sitesettings import models as site_settings

        invalidation.connect()
        # The site settings are read once per epoch: a saved change starts a new one everywhere.
        site_settings.use_generation(epochs.current_epoch)
        # Social cards draw the brand an admin set there.
        cards.use_brand(site_settings.brand)


class DigestAdminConfig(AdminConfig):
    """django.contrib.admin with the site's two-step sign-in (digest_site.twofactor)."""

    default_site = "digest_site.twofactor.site.DigestAdminSite"
