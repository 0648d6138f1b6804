"""`make eval`: how well and how fast suggestions work (companies.suggest).

    .venv/bin/python scripts/eval_suggest.py [--bench] [--only-bench] [extra.jsonl ...]

Creates a throwaway database next to the configured one (DATABASE_URL, or the embedded
PostgreSQL), migrates it, loads the demo registry (`load_demo`) and prints micro precision and
recall for companies + platforms and for topics on tests/data/suggest_labelled.jsonl,
tests/data/suggest_holdout.jsonl and any extra labelled files given (for example
../shared/suggest/sample.jsonl), scored as companies.suggest_scoring says.

--bench adds 5,000 synthetic companies and 5,000 synthetic platforms (with Chinese names,
aliases, tickers and a few names needing a clue) to the demo registry and measures the matcher's
build time and the time to suggest tags for one story (median and 95th percentile over the
labelled stories), with and without the registry check each `suggest()` call makes.
The database is dropped at the end.
"""

import argparse
import os
import random
import statistics
import sys
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digest_site.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from companies.models import Company, Platform  # noqa: E402
from companies.suggest import (  # noqa: E402
    Matcher,
    forget_matcher,
    get_matcher,
    registry_stamp,
    suggest,
)
from companies.suggest_scoring import read_labelled, score  # noqa: E402

DATA = ROOT / "tests" / "data"
# The labelled sets, in the order they were written (docs/benchmarks.md says by whom).
LABELLED = [
    DATA / name
    for name in (
        "suggest_labelled.jsonl",
        "suggest_holdout.jsonl",
        "suggest_independent.jsonl",
        "suggest_fresh.jsonl",
        "suggest_blind.jsonl",
    )
]
SYNTHETIC = 5_000
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ren",
    "tu",
    "va",
    "zhe",
    "bo",
    "xin",
    "qi",
    "an",
    "dor",
    "fen",
    "hua",
    "lin",
    "mo",
    "pei",
    "sun",
    "tao",
    "wei",
    "yu",
    "zan",
]
SUFFIXES = ["Technology", "Holdings", "Group", "Labs", "Networks", "Capital", "Media", ""]
HANZI = "安百博创达鼎飞丰海华汇佳金科蓝联明诺鹏启瑞盛泰天万信星兴逸云智众卓"


def evaluate(paths):
    for path in paths:
        if not path.exists():
            print(f"{path}: not found, skipped")
            continue
        items = read_labelled(path)
        entities, topics = score(items, suggest)
        print(f"\n{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        print(f"  {len(items)} items")
        print("  " + entities.line("companies + platforms"))
        print("  " + topics.line("topics"))
        for item_id, what, tag in entities.mistakes:
            print(f"    {item_id}: {what} {tag}")


def synthetic_name(rng):
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return word, f"{word} {rng.choice(SUFFIXES)}".strip()


def add_synthetic_registry(rng):
    companies = []
    for n in range(SYNTHETIC):
        word, name = synthetic_name(rng)
        companies.append(
            Company(
                name=name,
                slug=f"synthetic-company-{n}",
                name_zh="".join(rng.choice(HANZI) for _ in range(rng.randint(2, 4))),
                aliases=[word, f"{word[:4].upper()}{n % 10}", f"{1000 + n}.HK"],
                needs_second_clue=n % 50 == 0,
                clue_words=["semiconductors", "smartphone"] if n % 50 == 0 else [],
                false_friends=[f"{word} river"] if n % 100 == 0 else [],
            )
        )
    companies = Company.objects.bulk_create(companies, batch_size=1000)
    platforms = []
    for n in range(SYNTHETIC):
        word, _ = synthetic_name(rng)
        platforms.append(
            Platform(
                name=f"{word} {rng.choice(['app', 'Pay', 'Live', 'Cloud', 'Mall'])}",
                slug=f"synthetic-platform-{n}",
                owner=rng.choice(companies),
                aliases=["".join(rng.choice(HANZI) for _ in range(3))],
            )
        )
    Platform.objects.bulk_create(platforms, batch_size=1000)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def bench():
    rng = random.Random(47)
    add_synthetic_registry(rng)
    forget_matcher()
    print(f"\nRegistry: {Company.objects.count()} companies, {Platform.objects.count()} platforms")
    builds, reads = [], []
    for _ in range(5):
        started = time.perf_counter()
        matcher = Matcher.from_registry()
        builds.append(time.perf_counter() - started)
        started = time.perf_counter()
        Matcher.rows_from_registry()
        reads.append(time.perf_counter() - started)
    print(
        f"  matcher build: median {statistics.median(builds) * 1000:.0f} ms, of which reading "
        f"the rows (3 queries) {statistics.median(reads) * 1000:.0f} ms"
    )
    stamps = []
    for _ in range(20):
        started = time.perf_counter()
        registry_stamp()
        stamps.append(time.perf_counter() - started)
    print(
        f"  registry stamp (1 query, at most once a second per process): median "
        f"{statistics.median(stamps) * 1000:.2f} ms"
    )
    stories = [item for path in LABELLED if path.exists() for item in read_labelled(path)]
    get_matcher()  # built once, as in a running process
    for label, run in [
        ("suggest() per story, with the registry check", suggest),
        ("matcher only, per story", matcher.suggest),
    ]:
        timings = []
        for _ in range(5):
            for item in stories:
                started = time.perf_counter()
                run(item["headline"], item["body"])
                timings.append(time.perf_counter() - started)
        print(
            f"  {label}: median {statistics.median(timings) * 1000:.2f} ms, "
            f"p95 {percentile(timings, 0.95) * 1000:.2f} ms over {len(timings)} runs"
        )
    # A long feature: thirty items' bodies run together, about 6,000 characters.
    long_stories = [
        " ".join(item["body"] for item in stories[start : start + 30])
        for start in range(0, len(stories) - 30, 10)
    ]
    timings = []
    for _ in range(5):
        for text in long_stories:
            started = time.perf_counter()
            matcher.suggest("", text)
            timings.append(time.perf_counter() - started)
    size = statistics.median(len(text) for text in long_stories)
    print(
        f"  matcher only, long story (~{size:,.0f} characters): median "
        f"{statistics.median(timings) * 1000:.2f} ms, p95 {percentile(timings, 0.95) * 1000:.2f} ms"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("extra", nargs="*", type=Path, help="more labelled JSON Lines files")
    parser.add_argument("--bench", action="store_true", help="also measure speed")
    parser.add_argument("--only-bench", action="store_true", help="measure speed only")
    options = parser.parse_args()

    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"{database['NAME']}_suggest_eval"
    started = time.perf_counter()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("load_demo", force=True, stdout=StringIO())
        print(
            f"Throwaway database {database['NAME']} ready in {time.perf_counter() - started:.0f} s"
        )
        if not options.only_bench:
            evaluate(LABELLED + options.extra)
        if options.bench or options.only_bench:
            bench()
    finally:
        from django.db import connections

        from digest_site.pages import epochs

        # The page cache's listener holds a connection of its own to the throwaway database.
        epochs.stop_listening()
        connections.close_all()
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
