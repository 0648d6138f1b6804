#!/usr/bin/env python
"""`make bench`: how fast the public site is, measured three ways.

1. Throughput and latency under load: gunicorn (production settings, one sync worker per
   core, Redis as the shared cache when redis-server is installed) serves a seeded database of
   500 issues, 4,000 stories and 300 companies; wrk hammers each page kind, first with the page
   cache switched off (every request renders), then with it on. In the same runs the same
   server answers a view that returns the issue page's bytes from memory: the ceiling. Each
   page's rate is printed as a ratio to that ceiling.
2. CPU instructions per request (valgrind's callgrind, repeatable within a few per cent on
   noisy machines): one request per page kind handled in-process after a warm-up, uncached
   and cached, and the ceiling view.
3. Search latency at 100,000 stories: a second database, queries run in-process one at a time.

Databases: BENCH_DATABASE_URL (pages) and BENCH_SEARCH_DATABASE_URL (search) when set;
otherwise `digest_bench` and `digest_bench_search` on the server of DATABASE_URL, or on the
embedded PostgreSQL under var/pgdata. They are seeded once and reused; `--reseed` rebuilds them.

Options: --duration SECONDS (wrk, default 8), --connections N (default 16), --skip-callgrind,
--skip-search, --reseed, --only-callgrind (instruction counts alone: no wrk, no search; the
server is started once only to pick the URLs and the ceiling's bytes). Results also go to
var/bench/results.json. BENCH_ACCEPT_ENCODING (e.g. "gzip, deflate, br") makes the callgrind
requests ask for a compressed answer, as browsers do; unset, they ask for plain bytes.

--proxy measures the front proxy instead (`make bench` runs it second): nginx with the
repository's configuration (deploy/nginx) in front of gunicorn, wrk on the issue page through
the one-second micro-cache against the same nginx serving that page's bytes as a static file.
Results go to var/bench/proxy.json.

`--growth` measures how costs grow with the archive instead: instructions per uncached request
for every page kind on the 500-issue database and on one of 5,000 issues (`digest_bench_5000`,
or BENCH_5000_DATABASE_URL; 40,000 stories, seeded once with bulk inserts), and their ratio.
`--issues N` seeds and measures a database of N issues (`digest_bench_<N>`) in the other modes.
"""

import argparse
import io
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "var" / "bench"
PYTHON = sys.executable
SEED_VERSION = "bench-seed-6"
SECRET = "bench-only-secret-4f9Kq2Zx7Lm3Vb8Nw1Rt6Yp0Hs5Gd2Jc9Ae4Uo"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
VALGRIND = shutil.which("valgrind") or "/usr/bin/valgrind"
REDIS = shutil.which("redis-server")

N_ISSUES = int(os.environ.get("BENCH_ISSUES", "500"))  # --issues sets it for the children
GROWTH_ISSUES = 5000
STORIES_PER_ISSUE = 8
N_COMPANIES = 300
N_SEARCH_STORIES = 100_000
# What readers search for, each returning results at 100,000 stories (from about a hundred to
# nearly all): company names in English and Chinese, tickers, platforms, topics, two- and
# three-word queries.
SEARCH_QUERIES = [
    "Alibaba", "阿里巴巴", "ByteDance", "字节跳动", "Tencent cloud", "腾讯", "拼多多", "BABA",
    "9988.HK", "TikTok", "WeChat payments", "NetEase gaming", "data privacy", "regulators",
    "cloud price war", "Xiaomi battery factory", "merchants festival", "market",
]  # fmt: skip

REAL_COMPANIES = [
    ("Alibaba Group", "阿里巴巴集团", ["Alibaba", "BABA", "9988.HK"]),
    ("ByteDance", "字节跳动", ["Bytedance Ltd"]),
    ("PDD Holdings", "拼多多", ["PDD", "Pinduoduo"]),
    ("JD.com", "京东", ["JD", "9618.HK"]),
    ("Baidu", "百度", ["BIDU", "9888.HK"]),
    ("Meituan", "美团", ["3690.HK"]),
    ("Tencent", "腾讯", ["0700.HK", "TCEHY"]),
    ("Kuaishou", "快手", ["1024.HK"]),
    ("Xiaomi", "小米", ["1810.HK"]),
    ("NetEase", "网易", ["NTES", "9999.HK"]),
]
REAL_PLATFORMS = [
    ("TikTok", 1, "social_video"),
    ("Douyin", 1, "social_video"),
    ("Taobao", 0, "ecommerce"),
    ("Tmall", 0, "ecommerce"),
    ("Temu", 2, "ecommerce"),
    ("Ernie Bot", 4, "chatbot"),
    ("WeChat", 6, "messaging"),
]
TOPICS = [
    "Regulation", "E-commerce", "Generative AI", "Live streaming", "Climate", "Payments",
    "Cloud", "Gaming", "Advertising", "Logistics", "Semiconductors", "Short video",
    "Data privacy", "Antitrust", "Earnings", "Cross-border", "Food delivery", "Search",
    "Smartphones", "Electric vehicles",
]  # fmt: skip
WORDS = [
    "market",
    "growth",
    "sales",
    "platform",
    "users",
    "regulators",
    "investigation",
    "launch",
    "service",
    "price",
    "war",
    "merchants",
    "shoppers",
    "festival",
    "revenue",
    "quarter",
    "profit",
    "cloud",
    "model",
    "chatbot",
    "assistant",
    "video",
    "creators",
    "livestream",
    "delivery",
    "riders",
    "logistics",
    "warehouse",
    "export",
    "tariff",
    "ban",
    "app",
    "store",
    "privacy",
    "data",
    "security",
    "minors",
    "protection",
    "fine",
    "lawsuit",
    "court",
    "appeal",
    "shares",
    "investors",
    "expansion",
    "europe",
    "america",
    "southeast",
    "asia",
    "payments",
    "wallet",
    "subsidy",
    "coupon",
    "discount",
    "advertising",
    "algorithm",
    "recommendation",
    "feed",
    "search",
    "engine",
    "browser",
    "smartphone",
    "chip",
    "supplier",
    "factory",
    "battery",
    "vehicle",
    "charging",
    "partnership",
    "acquisition",
    "stake",
    "valuation",
    "layoffs",
    "hiring",
    "restructuring",
    "spin-off",
    "listing",
    "hong",
    "kong",
    "new",
    "york",
    "shanghai",
    "shenzhen",
    "beijing",
    "government",
    "ministry",
    "commission",
    "guidelines",
    "rules",
    "compliance",
    "antitrust",
    "probe",
]


# --- Databases ---------------------------------------------------------------------------------


def _server_url():
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    from digest_site.database import embedded_data_dir, start_embedded_postgres

    server = start_embedded_postgres(embedded_data_dir(ROOT))
    uri = server.get_uri()  # postgresql://postgres:@/postgres?host=/path
    host = re.search(r"host=([^&]+)", uri).group(1)
    return f"postgres://postgres@{quote(host, safe='')}/postgres"


def _with_db(url, name):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def _admin_connect(url):
    import psycopg

    parts = urlsplit(_with_db(url, "postgres"))
    host = parts.hostname or ""
    if "%2F" in parts.netloc or "%2f" in parts.netloc:
        host = urllib.request.unquote(parts.netloc.split("@")[-1].split(":")[0])
    return psycopg.connect(
        host=host or None,
        port=parts.port or None,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    )


def ensure_database(url, reseed):
    """Create the database if missing (dropping it first with reseed); True if it needs seeding."""
    name = urlsplit(url).path.lstrip("/")
    with _admin_connect(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            return True
    env = _env(url)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    marker = subprocess.run(
        [PYTHON, __file__, "--child-marker"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if marker.stdout.strip() == SEED_VERSION:
        return False
    # Seeded by another version of this script, or half-seeded: start again from scratch.
    return ensure_database(url, reseed=True)


def _env(db_url, **extra):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "digest_site.settings.production",
        "SECRET_KEY": SECRET,
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": db_url,
        "DIGEST_BENCH": "1",
        # The load comes from one address; the search rate limit is for people, not wrk.
        "DIGEST_SEARCH_RATE": "1000000/m",
        "LOG_LEVEL": "ERROR",
        "PYTHONHASHSEED": "0",
    }
    env.pop("REDIS_URL", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


# --- Seeding (runs in a child process with Django set up against the bench database) -------------


def _django():
    import django

    django.setup()


def child_marker():
    _django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_meta')")
        if cursor.fetchone()[0] is None:
            return
        cursor.execute("SELECT version FROM bench_meta")
        row = cursor.fetchone()
        print(row[0] if row else "")


def _mark_seeded():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (version text)")
        cursor.execute("DELETE FROM bench_meta")
        cursor.execute("INSERT INTO bench_meta VALUES (%s)", [SEED_VERSION])


def _text(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _vocabulary(rng, size=8000):
    """Real words plus made-up ones with a long tail, so that most words are rare, as in news."""
    syllables = [c + v for c in "bdfghjklmnprstvwz" for v in "aeiou"] + ["ch", "sh", "ng"]
    words = list(WORDS)
    while len(words) < size:
        words.append("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    cumulative, total = [], 0.0
    for rank in range(len(words)):
        total += 1 / (rank + 1)
        cumulative.append(total)
    return words, cumulative


def _zipf_text(rng, vocabulary, count):
    words, cumulative = vocabulary
    return " ".join(rng.choices(words, cum_weights=cumulative, k=count))


def _body(rng, names):
    paragraphs = []
    for _ in range(5):
        sentence = _text(rng, 28).capitalize()
        paragraphs.append(
            f"{sentence}, said **{rng.choice(names)}** in a statement. "
            f"[Read more](https://example.com/{rng.randrange(10**6)}) about the {_text(rng, 3)}."
        )
    return "\n\n".join(paragraphs)


def _companies(rng):
    from stories.models import Company, Platform, Topic

    companies = [
        Company(name=name, slug=re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
                name_zh=zh, aliases=aliases, description=f"{name} is followed closely.")
        for name, zh, aliases in REAL_COMPANIES
    ]  # fmt: skip
    for i in range(len(companies), N_COMPANIES):
        companies.append(
            Company(
                name=f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {i:03d}",
                slug=f"company-{i:03d}",
                name_zh="",
                aliases=[f"C{i:03d}"],
            )
        )
    Company.objects.bulk_create(companies)
    companies = list(Company.objects.order_by("pk"))
    # Groups: Alibaba owns Taobao and Tmall Group, which owns a logistics arm (depth 2);
    # one generated company in four belongs to an earlier one.
    taobao_group = Company.objects.create(
        name="Taobao and Tmall Group", slug="taobao-tmall", parent=companies[0]
    )
    Company.objects.create(name="Cainiao", slug="cainiao", parent=taobao_group, name_zh="菜鸟")
    for i, company in enumerate(companies[len(REAL_COMPANIES) :], start=len(REAL_COMPANIES)):
        if i % 4 == 0:
            company.parent = companies[rng.randrange(0, i)]
    Company.objects.bulk_update(companies, ["parent"])
    companies = list(Company.objects.order_by("pk"))
    platforms = [
        Platform(name=name, slug=name.lower().replace(" ", "-"), owner=companies[owner], kind=kind)
        for name, owner, kind in REAL_PLATFORMS
    ]
    platforms[2].owner = taobao_group
    platforms[3].owner = taobao_group
    for i in range(150 - len(platforms)):
        platforms.append(
            Platform(name=f"App {i:03d}", slug=f"app-{i:03d}", owner=rng.choice(companies))
        )
    Platform.objects.bulk_create(platforms)
    topics = [Topic(name=name, slug=re.sub(r"[^a-z0-9]+", "-", name.lower())) for name in TOPICS]
    Topic.objects.bulk_create(topics)
    return (
        list(Company.objects.order_by("pk")),
        list(Platform.objects.order_by("pk")),
        list(Topic.objects.order_by("pk")),
    )


def _bulk_tags(rng, stories, companies, platforms, topics, *, with_sources=True):
    from stories.models import Source, Story

    # Real companies and platforms get a large share, as in the real digest.
    heavy = companies[: len(REAL_COMPANIES)]
    company_rows, platform_rows, topic_rows, sources = [], [], [], []
    for story in stories:
        chosen = {rng.choice(heavy) if rng.random() < 0.5 else rng.choice(companies)}
        if rng.random() < 0.5:
            chosen.add(rng.choice(companies))
        company_rows += [Story.companies.through(story=story, company=c) for c in chosen]
        if rng.random() < 0.6:
            picked = {rng.choice(platforms[:7]) if rng.random() < 0.6 else rng.choice(platforms)}
            platform_rows += [Story.platforms.through(story=story, platform=p) for p in picked]
        for topic in {rng.choice(topics), rng.choice(topics)}:
            topic_rows.append(Story.topics.through(story=story, topic=topic))
        if with_sources:
            for position in range(rng.choice((1, 1, 2))):
                sources.append(
                    Source(
                        story=story,
                        publisher=rng.choice(["Reuters", "Bloomberg", "SCMP", "Caixin"]),
                        url=f"https://news.example.com/{story.slug}/{position}",
                        position=position,
                    )
                )
    Story.companies.through.objects.bulk_create(company_rows, batch_size=5000)
    Story.platforms.through.objects.bulk_create(platform_rows, batch_size=5000)
    Story.topics.through.objects.bulk_create(topic_rows, batch_size=5000)
    Source.objects.bulk_create(sources, batch_size=5000)


def child_seed_pages():
    _django()
    from django.db import connection, transaction

    from issues.models import Issue, IssueStory
    from stories.fragments import store_blocks
    from stories.markdown import render_markdown
    from stories.models import Status, Story
    from stories.search import update_search_vectors

    rng = random.Random(42)
    started = time.monotonic()
    with transaction.atomic():
        companies, platforms, topics = _companies(rng)
        names = [c.name for c in companies[:40]]
        first = datetime.now(UTC) - timedelta(weeks=N_ISSUES + 1)
        issues, stories = [], []
        for n in range(1, N_ISSUES + 1):
            published = first + timedelta(weeks=n)
            intro = f"Hi folks, here is issue {n}. " + _text(rng, 40)
            wrapup = "That's all for this week. " + _text(rng, 20)
            issues.append(
                Issue(number=n, title=_text(rng, 5).title(), intro=intro, wrapup=wrapup,
                      intro_html=render_markdown(intro), wrapup_html=render_markdown(wrapup),
                      status=Status.PUBLISHED, published_at=published,
                      content_changed_at=published)
            )  # fmt: skip
            for position in range(1, STORIES_PER_ISSUE + 1):
                body = _body(rng, names)
                slug = f"issue-{n}-story-{position}"
                stories.append(
                    Story(headline=f"{rng.choice(names)} {_text(rng, 7)}", slug=slug,
                          summary=_text(rng, 35).capitalize() + ".", body=body,
                          body_html=render_markdown(body), status=Status.PUBLISHED,
                          published_at=published, content_changed_at=published,
                          event_date=(published - timedelta(days=rng.randrange(7))).date())
                )  # fmt: skip
        # Work in progress that must stay invisible.
        for i in range(100):
            stories.append(
                Story(headline=f"Draft {i} {_text(rng, 5)}", slug=f"draft-{i}", summary="Draft.",
                      body="Draft.", status=Status.DRAFT, event_date=date.today())
            )  # fmt: skip
        Issue.objects.bulk_create(issues, batch_size=1000)
        Story.objects.bulk_create(stories, batch_size=1000)
        issues = {i.number: i for i in Issue.objects.all()}
        stories = list(Story.objects.order_by("pk"))
        entries = []
        for story in stories:
            match = re.fullmatch(r"issue-(\d+)-story-(\d+)", story.slug)
            if match:
                entries.append(
                    IssueStory(issue=issues[int(match[1])], story=story, position=int(match[2]))
                )
        IssueStory.objects.bulk_create(entries, batch_size=5000)
        _bulk_tags(rng, stories, companies, platforms, topics)
        update_search_vectors()
        # Bulk inserts bypass the signals that store each story's issue-page block.
        ids = [story.pk for story in stories]
        for start in range(0, len(ids), 500):
            store_blocks(ids[start : start + 500])
        _mark_seeded()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"seeded pages database in {time.monotonic() - started:.0f}s", file=sys.stderr)


def child_seed_search():
    _django()
    from django.db import connection, transaction

    from stories.models import Status, Story
    from stories.search import update_search_vectors

    rng = random.Random(7)
    started = time.monotonic()
    with transaction.atomic():
        companies, platforms, topics = _companies(rng)
        names = [c.name for c in companies[:40]]
        now = datetime.now(UTC)
        vocabulary = _vocabulary(rng)
        batch = []
        for i in range(N_SEARCH_STORIES):
            batch.append(
                Story(headline=f"{rng.choice(names)} {_zipf_text(rng, vocabulary, 7)}",
                      slug=f"s-{i}",
                      summary=_zipf_text(rng, vocabulary, 30).capitalize() + ".",
                      body=_zipf_text(rng, vocabulary, 120),
                      status=Status.PUBLISHED if i % 20 else Status.DRAFT,
                      published_at=now - timedelta(minutes=i) if i % 20 else None,
                      content_changed_at=now - timedelta(minutes=i) if i % 20 else None,
                      event_date=(now - timedelta(hours=i)).date())
            )  # fmt: skip
            if len(batch) == 10_000:
                Story.objects.bulk_create(batch)
                batch = []
        Story.objects.bulk_create(batch)
        stories = list(Story.objects.only("pk", "slug").order_by("pk"))
        _bulk_tags(rng, stories, companies, platforms, topics, with_sources=False)
        update_search_vectors()
        _mark_seeded()
    with connection.cursor() as cursor:
        # The vectors were written by an UPDATE of every row after the insert: without
        # FULL, half the table would stay dead space that a real archive, updated a little
        # at a time, does not carry, and every search would read twice the pages.
        cursor.execute("VACUUM FULL ANALYZE")
    print(f"seeded search database in {time.monotonic() - started:.0f}s", file=sys.stderr)


# --- In-process measurements (child processes) ---------------------------------------------------


class _Wsgi:
    """Calls the WSGI application the way gunicorn does, without a socket."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler

        self.app = WSGIHandler()
        self.status = None

    def _start(self, status, headers, exc_info=None):
        self.status = status

    def get(self, url):
        path, _, query = url.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": urllib.request.unquote(path),
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",  # the search rate limit keys on it
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SCRIPT_NAME": "",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
        }
        if os.environ.get("BENCH_ACCEPT_ENCODING"):
            # e.g. "gzip, deflate, br": count the compressed answers browsers get.
            environ["HTTP_ACCEPT_ENCODING"] = os.environ["BENCH_ACCEPT_ENCODING"]
        body = b"".join(self.app(environ, self._start))
        if not self.status.startswith("200"):
            raise SystemExit(f"{url} answered {self.status}")
        return body


def child_callgrind(urls):
    """Each URL: 3 warm-up requests, then one measured inside libc's qsort_r (the only part
    callgrind collects, see --toggle-collect), uncached then cached (uncached only when
    BENCH_UNCACHED_ONLY is set); dumps land in order."""
    import ctypes
    import gc

    _django()
    from django.conf import settings

    client = _Wsgi()
    libc = ctypes.CDLL("libc.so.6")
    compare = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
    target = {}

    def run_once(a, b):
        client.get(target["url"])
        return 0

    callback = compare(run_once)
    pair = (ctypes.c_int * 2)(1, 2)
    for url in urls:
        for seconds in (0,) if os.environ.get("BENCH_UNCACHED_ONLY") else (0, 300):
            settings.DIGEST_PAGE_CACHE_SECONDS = seconds
            for _ in range(3):
                client.get(url)
            target["url"] = url
            # Every measured request starts from empty GC generations: otherwise whether an
            # older generation's collection lands inside it depends on what was allocated
            # before (another import, a model field more), and moves the count by ~0.4 M.
            gc.collect()
            libc.qsort(pair, 2, ctypes.sizeof(ctypes.c_int), callback)
            print(f"MEASURED {seconds} {url}", flush=True)


def child_search(queries, repeats):
    _django()
    from django.conf import settings

    settings.DIGEST_PAGE_CACHE_SECONDS = 0  # every search really runs
    client = _Wsgi()
    counts = {}
    for query in queries:  # warm-up, and what the reader is told: "37 stories", "At least 200"
        page = client.get("/search/?q=" + quote(query)).decode()
        heading = re.search(r'<h2 id="results-title">([^<]*)</h2>', page)
        counts[query] = heading.group(1) if heading else "?"
    timings = {}
    for _ in range(repeats):
        for query in queries:
            started = time.perf_counter()
            client.get("/search/?q=" + quote(query))
            timings.setdefault(query, []).append((time.perf_counter() - started) * 1000)
    print(json.dumps({"timings": timings, "counts": counts}))


# --- Load tests --------------------------------------------------------------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {timeout}s")


class Gunicorn:
    def __init__(self, env, workers):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "digest_site.wsgi", "--workers",
             str(workers), "--bind", f"127.0.0.1:{self.port}", "--log-level", "error"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        _wait(self.base + "/robots.txt")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


class Redis:
    def __init__(self):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.url = f"redis://127.0.0.1:{self.port}/0"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url, duration, connections):
    result = subprocess.run(
        [WRK, "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    out = result.stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s))\s*$", out, re.M))
    if "50" not in latency or "Requests/sec" not in out:
        raise SystemExit(f"wrk gave no figures for {url}:\n{out}\n{result.stderr}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "errors": int(errors.group(1)) if errors else 0,
    }


def page_urls(server_base):
    """One URL per page kind, picked from the seeded data."""
    home = _wait(server_base + "/").decode()
    story = re.search(r'href="(/stories/[^"]+/)"', home).group(1)
    return {
        "issue": "/issues/250/",
        "home": "/",
        "archive": "/issues/",
        "story": story,
        "company index": "/companies/",
        "company": "/companies/alibaba-group/",
        "platform": "/platforms/tiktok/",
        "topic": "/topics/regulation/",
        # A Chinese company name: the company look-up, then its stories (hundreds of them).
        "search": "/search/?q=" + quote("阿里巴巴"),
        "feed": "/feeds/issues/",
        "sitemap": "/sitemap.xml",
    }


# --- The front proxy (--proxy) ------------------------------------------------------------------


def bench_proxy(args):
    """nginx (deploy/nginx/digest.conf.template, filled in as the tests do) in front of gunicorn
    with production settings: the issue page through the micro-cache, then the same bytes as a
    static file from the same nginx. The ratio is the micro-cache's share of static speed."""
    from tests.processes import NGINX
    from tests.processes import nginx as front_proxy

    for tool in (NGINX, WRK):
        if not Path(tool).exists():
            raise SystemExit(f"{tool} is missing: apt-get install nginx wrk (make bench does)")
    OUT.mkdir(parents=True, exist_ok=True)
    server = _server_url()
    pages_db = os.environ.get("BENCH_DATABASE_URL") or _with_db(server, "digest_bench")
    if ensure_database(pages_db, args.reseed):
        env = _env(pages_db)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        subprocess.run([PYTHON, __file__, "--child-seed-pages"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=_env(pages_db), check=True,
    )  # fmt: skip

    workers = os.cpu_count() or 2
    path = "/issues/250/"
    static_root = OUT / "proxy-static"
    shutil.rmtree(static_root, ignore_errors=True)
    static_root.mkdir(parents=True)
    (OUT / "nginx").mkdir(exist_ok=True)
    results = {}
    # As deployed: gunicorn trusts one proxy; without REDIS_URL Django's own page cache is off
    # in production, so the micro-cache is the only cache and each miss renders the page.
    gunicorn = Gunicorn(_env(pages_db, DIGEST_TRUSTED_PROXIES=1), workers)
    try:
        (static_root / "issue.html").write_bytes(_wait(gunicorn.base + path))
        with front_proxy(
            OUT / "nginx",
            upstream=urlsplit(gunicorn.base).netloc,
            static_root=static_root,
            media_root=static_root,
            workers=workers,
        ) as base:
            states = []
            for _ in range(5):  # two requests in a row: the second must come from the cache
                for _ in range(2):
                    with urllib.request.urlopen(base + path) as response:
                        states.append(response.headers["X-Cache-Status"])
                if states[-1] == "HIT":
                    break
            else:
                raise SystemExit(f"{path} never came from the micro-cache: {states}")
            runs = (
                ("micro-cache", base + path),
                ("static file", base + "/static/issue.html"),
                # For scale: what readers got without the proxy (every request rendered).
                ("gunicorn only", gunicorn.base + path),
            )
            for kind, url in runs:
                results[kind] = wrk(url, args.duration, args.connections)
                figures = results[kind]
                print(f"proxy {kind:13} {figures['rps']:8.0f} req/s  p50 {figures['p50_ms']:6.2f} ms  "
                      f"p99 {figures['p99_ms']:7.2f} ms  non-2xx {figures['errors']}", flush=True)  # fmt: skip
    finally:
        gunicorn.stop()
    ratio = results["micro-cache"]["rps"] / results["static file"]["rps"]
    results["meta"] = {
        "ratio": round(ratio, 3),
        "page": path,
        "bytes": (static_root / "issue.html").stat().st_size,
        "nginx_workers": workers,
        "gunicorn_workers": workers,
        "wrk": f"-t2 -c{args.connections} -d{args.duration}s",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (OUT / "proxy.json").write_text(json.dumps(results, indent=2))
    print(f"\nThrough the micro-cache: {ratio:.2f} x nginx serving the same bytes as a static file")


# --- Main --------------------------------------------------------------------------------------


def callgrind(db_url, urls, body_file, **extra_env):
    out_dir = OUT / "callgrind"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    env = _env(db_url, DIGEST_BENCH_BODY=body_file, **extra_env)
    command = [
        VALGRIND, "--tool=callgrind", f"--callgrind-out-file={out_dir}/cg.%p",
        "--collect-atstart=no", "--toggle-collect=qsort_r", "--dump-after=qsort_r",
        PYTHON, __file__, "--child-callgrind", *urls,
    ]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"callgrind run failed:\n{result.stderr[-3000:]}")
    measured = re.findall(r"^MEASURED (\d+) (.+)$", result.stdout, re.M)
    dumps = []
    for path in out_dir.glob("cg.*.*"):
        text = path.read_text(errors="replace")
        # Only our measured calls pass through ctypes' callback; libc sorts at start-up do not.
        if "_CallPythonObject" in text:
            totals = int(re.search(r"^totals: (\d+)", text, re.M).group(1))
            dumps.append((int(path.name.rsplit(".", 1)[1]), totals))
    dumps.sort()
    if len(dumps) != len(measured):
        raise SystemExit(f"expected {len(measured)} callgrind dumps, found {len(dumps)}")
    counts = {}
    for (seconds, url), (_, totals) in zip(measured, dumps, strict=True):
        counts[(url, "uncached" if seconds == "0" else "cached")] = totals
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--skip-callgrind", action="store_true")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--proxy", action="store_true", help="measure the front proxy only")
    parser.add_argument("--issues", type=int, default=N_ISSUES)
    parser.add_argument("--growth", action="store_true")
    parser.add_argument("--only-callgrind", action="store_true")
    parser.add_argument("--child-marker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-seed-pages", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-seed-search", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-callgrind", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--child-search", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_marker:
        return child_marker()
    if args.child_seed_pages:
        return child_seed_pages()
    if args.child_seed_search:
        return child_seed_search()
    if args.child_callgrind:
        return child_callgrind(args.child_callgrind)
    if args.child_search:
        return child_search(args.child_search, repeats=10)
    if args.proxy:
        return bench_proxy(args)
    if args.growth:
        return growth(args.reseed)

    if args.only_callgrind:
        args.skip_callgrind, args.skip_search = False, True
    for tool in (() if args.only_callgrind else (WRK,)) + (
        () if args.skip_callgrind else (VALGRIND,)
    ):
        if not Path(tool).exists():
            raise SystemExit(f"{tool} is missing: apt-get install wrk valgrind (make bench does)")
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    server = _server_url()
    pages_db = os.environ.get("BENCH_DATABASE_URL") or _with_db(server, _pages_db_name(args.issues))
    os.environ["BENCH_ISSUES"] = str(args.issues)  # the seeding child reads it
    search_db = os.environ.get("BENCH_SEARCH_DATABASE_URL") or _with_db(
        server, "digest_bench_search"
    )
    databases = [(pages_db, "--child-seed-pages")]
    if not args.skip_search:
        databases.append((search_db, "--child-seed-search"))
    for url, seeder in databases:
        if ensure_database(url, args.reseed):
            env = _env(url)
            subprocess.run(
                [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
            )
            print(f"seeding {urlsplit(url).path.lstrip('/')} ...", flush=True)
            subprocess.run([PYTHON, __file__, seeder], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=_env(pages_db), check=True,
    )  # fmt: skip

    workers = os.cpu_count() or 2
    redis = Redis() if REDIS else None
    body_file = OUT / "ceiling.html"
    results = {"load": {}, "callgrind": {}, "search": {}, "meta": {}}
    try:
        for mode, seconds in (("uncached", 0), ("cached", 300)):
            extra = {"DIGEST_PAGE_CACHE_SECONDS": seconds, "DIGEST_BENCH_BODY": body_file}
            if redis:
                extra["REDIS_URL"] = redis.url
                extra["CACHE_KEY_PREFIX"] = f"bench-{mode}"
            gunicorn = Gunicorn(_env(pages_db, **extra), workers)
            try:
                urls = page_urls(gunicorn.base)
                if mode == "uncached":
                    body_file.write_bytes(_wait(gunicorn.base + urls["issue"]))
                urls["ceiling"] = "/__bench__/ceiling/"
                if args.only_callgrind:
                    break  # the URLs and the ceiling's bytes are all the count needs
                for kind, path in urls.items():
                    _wait(gunicorn.base + path)  # warm-up (and fill the cache)
                    figures = wrk(gunicorn.base + path, args.duration, args.connections)
                    results["load"][f"{kind}|{mode}"] = figures
                    print(f"{mode:9} {kind:14} {figures['rps']:8.0f} req/s  "
                          f"p50 {figures['p50_ms']:6.2f} ms  p99 {figures['p99_ms']:7.2f} ms",
                          flush=True)  # fmt: skip
            finally:
                gunicorn.stop()
    finally:
        if redis:
            redis.stop()

    if not args.skip_callgrind:
        print("counting instructions with callgrind (a few minutes) ...", flush=True)
        kinds = {path: kind for kind, path in urls.items()}
        counts = callgrind(pages_db, list(urls.values()), str(body_file))
        for (path, mode), total in counts.items():
            results["callgrind"][f"{kinds[path]}|{mode}"] = total

    if not args.skip_search:
        result = subprocess.run(
            [PYTHON, __file__, "--child-search", *SEARCH_QUERIES],
            cwd=ROOT, env=_env(search_db), capture_output=True, text=True, check=True,
        )  # fmt: skip
        measured = json.loads(result.stdout.strip().splitlines()[-1])
        timings = measured["timings"]
        every = sorted(t for values in timings.values() for t in values)
        results["search"] = {
            "stories": N_SEARCH_STORIES,
            "requests": len(every),
            "p50_ms": every[len(every) // 2],
            "p95_ms": every[int(len(every) * 0.95) - 1],
            "max_ms": every[-1],
            "per_query_median_ms": {q: sorted(v)[len(v) // 2] for q, v in timings.items()},
            "per_query_results": measured["counts"],
        }

    results["meta"] = {
        "workers": workers,
        "cache": "redis" if redis else "locmem (per worker)",
        "wrk": f"-t2 -c{args.connections} -d{args.duration}s",
        "cpus": os.cpu_count(),
        "seconds": round(time.monotonic() - started),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    if args.only_callgrind:
        print_counts(results)
    else:
        print_table(results)


def print_counts(results):
    """The instruction counts alone (--only-callgrind)."""
    counts = results["callgrind"]
    print(f"\n{'page':14} | {'uncached M instr':>16} | {'cached M instr':>14}")
    for kind in dict.fromkeys(key.split("|")[0] for key in counts):
        uncached, cached = counts.get(f"{kind}|uncached", 0), counts.get(f"{kind}|cached", 0)
        print(f"{kind:14} | {uncached / 1e6:16.2f} | {cached / 1e6:14.2f}")
    print(f"\n{results['meta']}")


# --- Growth: the same page kinds at 500 and 5,000 issues ---------------------------------------


def _pages_db_name(issues):
    return "digest_bench" if issues == 500 else f"digest_bench_{issues}"


def growth_urls(issues):
    """One URL per public page kind; the same addresses at every size where they exist."""
    return {
        "issue": "/issues/250/",
        "home": "/",
        "archive": "/issues/",
        "story": f"/stories/issue-{issues}-story-1/",
        "company index": "/companies/",
        "company": "/companies/alibaba-group/",
        "company p2": "/companies/alibaba-group/?page=2",
        "platform": "/platforms/tiktok/",
        "topic": "/topics/regulation/",
        "search": "/search/?q=" + quote("阿里巴巴 cloud"),
        "feed": "/feeds/issues/",
        "company feed": "/feeds/companies/alibaba-group/",
        "sitemap": "/sitemap.xml",
        **GROWTH_EXTRA_URLS,
    }


# Page kinds added after the first growth run (the sitemap's sections).
GROWTH_EXTRA_URLS = {
    "sitemap issues": "/sitemap-issues.xml",
    "sitemap stories": "/sitemap-stories.xml",
    "sitemap p2": "/sitemap-stories.xml?p=2",
    "sitemap tags": "/sitemap-companies.xml",
}


def growth(reseed):
    """Instructions per uncached request for each page kind at 500 and at 5,000 issues."""
    if not Path(VALGRIND).exists():
        raise SystemExit(f"{VALGRIND} is missing: apt-get install valgrind (make bench does)")
    OUT.mkdir(parents=True, exist_ok=True)
    server = _server_url()
    sizes = {
        500: os.environ.get("BENCH_DATABASE_URL") or _with_db(server, _pages_db_name(500)),
        GROWTH_ISSUES: os.environ.get("BENCH_5000_DATABASE_URL")
        or _with_db(server, _pages_db_name(GROWTH_ISSUES)),
    }
    counts = {}
    for issues, url in sizes.items():
        os.environ["BENCH_ISSUES"] = str(issues)
        if ensure_database(url, reseed):
            env = _env(url)
            subprocess.run(
                [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
            )
            print(f"seeding {urlsplit(url).path.lstrip('/')} ...", flush=True)
            subprocess.run([PYTHON, __file__, "--child-seed-pages"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT, env=_env(url), check=True,
        )  # fmt: skip
        urls = growth_urls(issues)
        print(f"counting instructions at {issues:,} issues ...", flush=True)
        measured = callgrind(url, list(urls.values()), "", BENCH_UNCACHED_ONLY=1)
        for kind, path in urls.items():
            counts[(kind, issues)] = measured[(path, "uncached")]
    small, large = sizes
    rows = {kind: (counts[(kind, small)], counts[(kind, large)]) for kind in growth_urls(small)}
    (OUT / "growth.json").write_text(json.dumps({k: list(v) for k, v in rows.items()}, indent=2))
    header = f"{'page':14} | {'M instr 500':>11} | {'M instr 5,000':>13} | {'ratio':>5}"
    print()
    print(header)
    print("-" * len(header))
    for kind, (a, b) in rows.items():
        print(f"{kind:14} | {a / 1e6:11.2f} | {b / 1e6:13.2f} | {b / a:5.2f}")


def print_table(results):
    load, counts = results["load"], results["callgrind"]
    ceiling = load.get("ceiling|cached") or load.get("ceiling|uncached")
    ceiling_rps = max(load[k]["rps"] for k in load if k.startswith("ceiling|"))
    print()
    print(f"Ceiling (same bytes from memory): {ceiling_rps:.0f} req/s; "
          f"{counts.get('ceiling|uncached', 0) / 1e6:.2f} M instructions per request")  # fmt: skip
    print()
    header = (f"{'page':14} | {'uncached req/s':>14} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'M instr':>7} | {'cached req/s':>12} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'M instr':>7}")  # fmt: skip
    print(header)
    print("-" * len(header))
    kinds = [
        k.split("|")[0] for k in load if k.endswith("|uncached") and not k.startswith("ceiling")
    ]
    for kind in kinds:
        row = f"{kind:14} |"
        for mode in ("uncached", "cached"):
            figures = load.get(f"{kind}|{mode}")
            instructions = counts.get(f"{kind}|{mode}")
            row += (f" {figures['rps']:14.0f} {figures['rps'] / ceiling_rps:6.2f} "
                    f"{figures['p50_ms']:7.2f} {figures['p99_ms']:7.2f} "
                    f"{(instructions or 0) / 1e6:7.2f} |")  # fmt: skip
        print(row.rstrip("|"))
    if ceiling:
        errors = sum(v["errors"] for v in load.values())
        print(f"\nnon-2xx responses during load: {errors}")
    search = results.get("search")
    if search:
        print(f"\nSearch over {search['stories']:,} stories ({search['requests']} requests, "
              f"in-process): p50 {search['p50_ms']:.1f} ms, p95 {search['p95_ms']:.1f} ms, "
              f"max {search['max_ms']:.1f} ms")  # fmt: skip
        for query, median in search["per_query_median_ms"].items():
            found = search["per_query_results"].get(query, "?")
            print(f"  {query:20} median {median:6.1f} ms  {found}")
    print(f"\n{results['meta']}")


if __name__ == "__main__":
    main()
