"""`python manage.py import_issue FILE`: a digest post (Markdown or HTML) becomes a draft issue.

The contract (PRODUCT.md, "Interfaces other tools rely on"): standard output carries the new
issue's number and nothing else, so tools can read it; messages go to standard error, and a
post that cannot be imported exits non-zero having created nothing.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from issues.importing import ImportRefused, import_post


class Command(BaseCommand):
    help = (
        "Import a digest post written as Markdown or as the HTML a site builder exports: "
        "creates a draft issue with its numbered stories in order, intro, wrap-up, the links "
        "as sources and the suggested tags, and prints the new issue's number. Nothing is "
        "published. Importing the same post twice makes a second draft issue."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The post: a .md, .txt or .html file (UTF-8).")
        parser.add_argument(
            "--number",
            type=int,
            help="The new issue's number (default: one more than the highest number).",
        )
        parser.add_argument(
            "--user",
            help="Who imports: the drafts' author and the name in their revisions and log "
            "(default: the first superuser).",
        )

    def handle(self, *args, **options):
        user = self._user(options["user"])
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from None
        try:
            issue = import_post(data, by=user, number=options["number"], name=path.name)
        except ImportRefused as error:
            raise CommandError(f"{path.name}: nothing imported. {error}") from None
        stories = issue.entries.count()
        self.stderr.write(
            f"Imported {path.name} as draft issue #{issue.number} “{issue.title}” with "
            f"{stories} stor{'y' if stories == 1 else 'ies'}, by {user.get_username()}."
        )
        self.stdout.write(str(issue.number))

    def _user(self, username):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"No active user named “{username}”.")
        else:
            user = users.filter(is_superuser=True).order_by("pk").first()
            if user is None:
                raise CommandError(
                    "There is no active superuser to import as: pass --user USERNAME "
                    "(someone who may add issues and stories)."
                )
        if not (user.has_perm("issues.add_issue") and user.has_perm("stories.add_story")):
            raise CommandError(
                f"{user.get_username()} may not add issues and stories; import as an editor."
            )
        return user
