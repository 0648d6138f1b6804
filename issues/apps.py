from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "issues"

    def ready(self):
        from issues import fragments

        fragments.connect_signals()
