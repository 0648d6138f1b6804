"""`manage.py suggest_entities`, the JSON Lines interface of PRODUCT.md, and the figures the
matcher reaches on the labelled sets (a regression guard on quality)."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from companies.suggest import forget_matcher, suggest
from companies.suggest_scoring import read_labelled, score
from tests.processes import ROOT, database_url
from tests.roles import ensure_roles

DATA = Path(__file__).resolve().parents[1] / "data"

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_registry():
    call_command("load_demo", force=True, stdout=StringIO())
    forget_matcher()
    yield
    forget_matcher()


def run(lines):
    """(answers, stderr, error) of the command given these input lines."""
    out, err = StringIO(), StringIO()
    error = None
    try:
        call_command(
            "suggest_entities", stdin=StringIO("\n".join(lines) + "\n"), stdout=out, stderr=err
        )
    except CommandError as raised:
        error = raised
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue(), error


def request(item_id, headline, body=""):
    return json.dumps({"id": item_id, "headline": headline, "body": body}, ensure_ascii=False)


@pytest.mark.usefixtures("demo_registry")
class TestCommand:
    def test_it_answers_each_line_in_order_with_the_contracts_fields(self):
        answers, stderr, error = run(
            [
                request("a", "Alibaba's cloud unit cuts prices"),
                request(2, "抖音测试新功能", "字节跳动表示……"),
                request("c", "Rain in Manchester"),
            ]
        )
        assert error is None and stderr == ""
        assert answers == [
            {
                "id": "a",
                "companies": ["alibaba-group"],
                "platforms": [],
                "topics": [],
            },
            {"id": 2, "companies": ["bytedance"], "platforms": ["douyin"], "topics": []},
            {"id": "c", "companies": [], "platforms": [], "topics": []},
        ]

    def test_its_answers_are_the_suggest_functions(self):
        item = read_labelled(DATA / "suggest_labelled.jsonl")[0]
        answers, _, _ = run([request(item["id"], item["headline"], item["body"])])
        expected = suggest(item["headline"], item["body"]).as_dict()
        assert answers == [{"id": item["id"], **expected}]
        assert expected["companies"]  # the item names companies: not a trivially empty answer

    def test_a_bad_line_gets_an_error_line_in_its_place_and_a_failing_exit(self):
        answers, stderr, error = run(
            [
                request(1, "Baidu"),
                "{not json",
                '["a list"]',
                json.dumps({"id": 4, "headline": "Baidu"}),
                json.dumps({"id": 5, "headline": 7, "body": ""}),
                json.dumps({"headline": "Baidu", "body": ""}),
                request(7, "Meituan"),
            ]
        )
        assert [answer["id"] for answer in answers] == [1, None, None, 4, 5, None, 7]
        assert answers[0]["companies"] == ["baidu"] and answers[6]["companies"] == ["meituan"]
        assert answers[3] == {"id": 4, "error": 'missing "body"'}
        assert answers[4] == {"id": 5, "error": '"headline" must be a string'}
        assert "not valid JSON" in answers[1]["error"]
        for number in (2, 3, 4, 5, 6):
            assert f"line {number}:" in stderr
        assert "line 1:" not in stderr and "line 7:" not in stderr
        assert "5 lines could not be read" in str(error)

    def test_blank_lines_are_not_inputs(self):
        answers, _, error = run(["", request(1, "Baidu"), "   "])
        assert error is None and [answer["id"] for answer in answers] == [1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_runs_as_a_process_reading_stdin_and_writing_stdout():
    # An earlier transactional test may have flushed the groups the migrations made.
    ensure_roles()
    call_command("load_demo", force=True, stdout=StringIO())
    env_db = database_url(connection.settings_dict)
    lines = [request("x1", "Kuaishou’s profit", "快手 and 1024.HK"), "oops"]
    result = subprocess.run(
        [sys.executable, "manage.py", "suggest_entities"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": env_db},
        timeout=60,
    )
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert answers[0] == {
        "id": "x1",
        "companies": ["kuaishou"],
        "platforms": [],
        "topics": ["earnings"],
    }
    assert answers[1]["id"] is None and "error" in answers[1]
    assert "line 2: not valid JSON" in result.stderr
    assert result.returncode == 1


# The targets the issue sets for companies + platforms on text the rules were not tuned on;
# docs/benchmarks.md says who wrote each set and when (the blind set was scored only after the
# last rule change). Topics have no target: these are the figures reached, kept from falling.
TARGET = {"precision": 0.95, "recall": 0.90, "topic_precision": 0.85}
LABELLED_SETS = (
    "suggest_labelled.jsonl",
    "suggest_holdout.jsonl",
    "suggest_independent.jsonl",
    "suggest_fresh.jsonl",
    "suggest_blind.jsonl",
)


@pytest.mark.usefixtures("demo_registry")
@pytest.mark.parametrize("name", LABELLED_SETS)
def test_the_labelled_sets_reach_the_targets(name):
    items = read_labelled(DATA / name)
    assert len(items) >= 20
    entities, topics = score(items, suggest)
    assert entities.precision >= TARGET["precision"], entities.mistakes
    assert entities.recall >= TARGET["recall"], entities.mistakes
    assert topics.precision >= TARGET["topic_precision"], topics.mistakes
