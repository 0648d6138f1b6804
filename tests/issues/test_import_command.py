"""`manage.py import_issue FILE` as the contract states it: the new issue's number alone on
standard output, messages on standard error, a non-zero exit and nothing created on failure."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from issues.models import Issue
from stories.models import Status, Story
from tests.processes import ROOT, database_url
from tests.roles import ensure_roles

POSTS = Path(__file__).resolve().parents[1] / "data" / "posts"
SEED = POSTS / "seed-sample-weekly-digest.txt"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_issue", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_it_prints_only_the_new_issue_number(admin_user, editor):
    out, err = run(POSTS / "markdown-headings.md", "--user", editor.username)
    issue = Issue.objects.get()
    assert out == f"{issue.number}\n"
    assert "draft issue #1" in err
    assert issue.entries.count() == 3
    assert set(Story.objects.values_list("author__username", flat=True)) == {"erin"}


@pytest.mark.django_db
def test_it_imports_as_the_first_superuser_by_default(admin_user):
    out, _ = run(SEED)
    assert Issue.objects.get(number=int(out)).entries.count() == 8
    assert set(Story.objects.values_list("author", flat=True)) == {admin_user.pk}


@pytest.mark.django_db
def test_a_given_number_is_used(admin_user):
    out, _ = run(SEED, "--number", 120)
    assert out.strip() == "120"
    assert Issue.objects.get().number == 120


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bad-gap.md"], "nothing imported. The stories are numbered 1, 2, 4"),
        (["no-such-file.md"], "Cannot read"),
        (["markdown-headings.md", "--number", "0"], "Issue numbers run from 1"),
        (["markdown-headings.md", "--number", "9999999999"], "Issue numbers run from 1"),
        (["markdown-headings.md", "--user", "nobody"], "No active user named “nobody”"),
        (["markdown-headings.md", "--user", "rex"], "rex may not add issues and stories"),
    ],
)
def test_failures_say_why_and_create_nothing(admin_user, reader, args, message):
    with pytest.raises(CommandError, match=message):
        run(POSTS / args[0], *args[1:])
    assert not Issue.objects.exists()
    assert not Story.objects.exists()


@pytest.mark.django_db
def test_without_any_superuser_it_asks_for_a_user():
    with pytest.raises(CommandError, match="pass --user USERNAME"):
        run(SEED)


# serialized_rollback: other transactional tests find the database as migrations left it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_as_a_process_after_load_demo():
    """What other tools do: run the command and read its standard output."""
    # An earlier transactional test may have flushed the groups the migrations made.
    ensure_roles()
    call_command("load_demo", "--force", stdout=StringIO(), stderr=StringIO())
    before = Issue.objects.order_by("-number").first().number
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict)}

    def command(path):
        return subprocess.run(
            [sys.executable, "manage.py", "import_issue", str(path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    done = command(SEED)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{before + 1}\n"
    issue = Issue.objects.get(number=before + 1)
    assert issue.status == Status.DRAFT
    assert issue.entries.count() == 8

    refused = command(POSTS / "bad-duplicate.md")
    assert refused.returncode != 0
    assert refused.stdout == ""
    assert "Story number 2 appears twice" in refused.stderr
    assert Issue.objects.order_by("-number").first().number == before + 1
