from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"

    def ready(self):
        from stories import fragments, search

        search.connect_signals()
        fragments.connect_signals()
