from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CompaniesConfig(AppConfig):
    name = "companies"
    verbose_name = "Company registry"

    def ready(self):
        from .models import Company, Platform, Topic
        from .suggest import forget_matcher

        # The suggestion matcher of this process is rebuilt after any change to the registry
        # (other processes notice through its stamp: see companies.suggest).
        for model in (Company, Platform, Topic):
            for signal in (post_save, post_delete):
                signal.connect(
                    forget_matcher, sender=model, dispatch_uid=f"suggest-{model.__name__}"
                )
