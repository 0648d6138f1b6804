from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"

    def ready(self):
        from digest_site import cache
        from stories import search

        search.connect_signals()
        cache.connect_signals()
