from django.apps import AppConfig


class DigestSiteConfig(AppConfig):
    """The site's wiring: the page cache listens to content changes in every process (web
    workers, management commands). Content apps know nothing of it."""

    name = "digest_site"
    label = "digest_site"
    verbose_name = "Digest site"

    def ready(self):
        from digest_site import cache

        cache.connect_signals()
