"""`manage.py suggest_entities`: suggested tags for stories, as JSON Lines (PRODUCT.md).

Reads one object a line on standard input, {"id": ..., "headline": ..., "body": ...}, and writes
one line per input, in the same order, {"id": ..., "companies": [...], "platforms": [...],
"topics": [...]}: slugs from the registry in the database, strongest first.

A line it cannot read (not JSON, not an object, a missing or non-text headline or body) still
gets its one line, {"id": <the id if it could be read, else null>, "error": "..."}, so that the
answers stay aligned with the questions; the same message, with the line number, goes to
standard error, every other line is answered, and the command exits with status 1 at the end.
Blank lines are not inputs and get no answer.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from companies.suggest import get_matcher

REQUIRED_TEXT = ("headline", "body")


def read_request(line):
    """(id, headline, body) from one input line; ValueError(message, id) if it is not one."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON ({error.msg} at column {error.colno})", None) from None
    if not isinstance(data, dict):
        raise ValueError(
            'expected an object like {"id": 1, "headline": "...", "body": "..."}', None
        )
    item_id = data.get("id")
    if "id" not in data:
        raise ValueError('missing "id"', None)
    if isinstance(item_id, (dict, list)):
        raise ValueError('"id" must be a string or a number', None)
    for name in REQUIRED_TEXT:
        if name not in data:
            raise ValueError(f'missing "{name}"', item_id)
        if not isinstance(data[name], str):
            raise ValueError(f'"{name}" must be a string', item_id)
    return item_id, data["headline"], data["body"]


class Command(BaseCommand):
    help = (
        'Suggest companies, platforms and topics for stories. Reads JSON Lines {"id", '
        '"headline", "body"} on standard input; writes one line per input, in order: '
        '{"id", "companies", "platforms", "topics"} (registry slugs, strongest first). '
        'A line that cannot be read is answered with {"id", "error"}, reported on standard '
        "error, and makes the command exit with status 1 once every line is answered."
    )
    # call_command(..., stdin=io.StringIO(...)) in tests.
    stealth_options = ("stdin",)

    def handle(self, *args, **options):
        source = options.get("stdin") or _utf8_stdin()
        matcher = get_matcher()
        failures = 0
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                item_id, headline, body = read_request(line)
            except ValueError as error:
                message, item_id = error.args
                failures += 1
                self.stderr.write(f"line {number}: {message}")
                answer = {"id": item_id, "error": message}
            else:
                found = matcher.suggest(headline, body)
                answer = {"id": item_id, **found.as_dict()}
            self.stdout.write(json.dumps(answer, ensure_ascii=False))
            self.stdout.flush()
        if failures:
            raise CommandError(
                f"{failures} line{'s' if failures > 1 else ''} could not be read (see above); "
                "each line must be a JSON object with an id and text headline and body."
            )


def _utf8_stdin():
    # Input is UTF-8 whatever the locale says; a byte that is not UTF-8 becomes U+FFFD rather
    # than stopping every line after it.
    return open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False)
