from django.apps import AppConfig


class DigestSiteConfig(AppConfig):
    """The site's wiring: every process (web workers, management commands) announces changes
    that readers can see to the page cache. Content apps know nothing of it."""

    name = "digest_site"
    label = "digest_site"
    verbose_name = "Digest site"

    def ready(self):
        from digest_site.pages import invalidation

        invalidation.connect()
