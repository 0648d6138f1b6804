from django.apps import AppConfig


class EditorialConfig(AppConfig):
    """The editorial engine: workflow, log, revisions, previews, share links, the desk.

    It knows content only through the interface of `publishing.PublishableModel`; it never
    imports a content app (an import-linter contract in `make test` keeps it so).
    """

    name = "editorial"

    def ready(self):
        from . import signals

        signals.connect()
