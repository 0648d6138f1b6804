from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class DigestSiteConfig(AppConfig):
    """The site's wiring: the page cache listens to content changes in every process (web
    workers, management commands). Content apps know nothing of it."""

    name = "digest_site"
    label = "digest_site"
    verbose_name = "Digest site"

    def ready(self):
        from digest_site import cache

        cache.connect_signals()


class DigestAdminConfig(AdminConfig):
    """django.contrib.admin with the site's two-step sign-in (digest_site.twofactor)."""

    default_site = "digest_site.twofactor.site.DigestAdminSite"
