from django.apps import AppConfig


class EditorialConfig(AppConfig):
    """The editorial engine: workflow, log, revisions, previews, share links, the desk.

    It knows content only through the interface of `publishing.PublishableModel`; it never
    imports a content app (an import-linter contract in `make test` keeps it so).
    """

    name = "editorial"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals

        signals.connect()
        post_migrate.connect(draw_brand_card, sender=self, dispatch_uid="editorial_brand_card")


def draw_brand_card(**kwargs):
    """The site's social card (editorial.cards), drawn at `migrate`, which every deployment
    runs: pages print its address from the first request on and never draw it themselves. A
    media folder that cannot be written to warns instead of failing the migration
    (`manage.py make_renditions` draws it later)."""
    import logging

    from . import cards

    try:
        cards.ensure_brand_card()
    except OSError as error:
        logging.getLogger(__name__).warning("The site's social card was not drawn: %s", error)
