"""Suggested companies, platforms and topics for a story, from the registry.

    from companies.suggest import suggest
    found = suggest(headline, body)
    found.companies, found.platforms, found.topics  # slugs, strongest first
    found.evidence                                  # why each was suggested

How it decides (each rule is small and has a test in tests/companies/test_suggest.py):

- **Names.** Every company's and platform's name, Chinese name and aliases (tickers included) go
  into one dictionary keyed by their words. The text is cut into words (a Chinese character
  counts as one word) and read left to right; at each word the longest registry name starting
  there wins. So names match whole words only ("Temu" not inside "Temuco"), possessives come
  free ("Alibaba's" is "Alibaba" followed by "'s"), and Chinese names are found inside Chinese
  text with no spaces ("美团旗下外卖平台Keeta").
- **Case.** Names match in any case ("alibaba", "TIKTOK"), except tickers and other all-capital
  forms (BABA, JD, 9988.HK), names of four letters or fewer (Temu, Kwai, Meta, Wow), and the
  names of entities that need a second clue: those must be written exactly as in the registry.
- **False friends.** An entity's `false_friends` (Amazon river, 京东方) are in the dictionary too:
  being longer they win at that spot, and nothing is suggested from them.
- **A second clue.** A weak mention counts only when the text also gives another clue. Weak are:
  two-letter tickers (JD), and for entities marked `needs_second_clue` (Apple, Amazon, Wow, Didi)
  their name, Chinese name and one-word aliases. Clues are: a strong mention of the same entity
  (a ticker, a longer name such as "Apple Inc."), a strong mention of its owner, parent,
  subsidiary or platform (Meituan for Wow), or one of its `clue_words` (iPhone for Apple).
- **Owners and parents.** A platform named in the text brings its owner, and every suggested
  company its parents, after the companies the text names itself.
- **Topics.** A topic is suggested when one of its `keywords` is in the headline, or the text has
  two or more of them (every occurrence counts). Keywords and clue words also match with a
  plural "s" added.
- **Order.** Strongest first: a mention in the headline counts 3, each mention in the body 1;
  ties go to the earliest mention.

The matcher is built once per process and rebuilt when the registry changes:
- in this process at once: saving or deleting a company, platform or topic drops it (signals,
  connected in companies.apps);
- from another process (an editor saves a company in one web worker, a story is edited through
  another): at most once every `STAMP_CHECK_SECONDS`, a call reads the registry's stamp (one
  query: row counts and newest `updated_at` of the three tables, through their indexes) and
  rebuilds when it moved.
Bulk `QuerySet.update()` sends no signal and does not touch `updated_at`: call
`forget_matcher()` after one.
"""

import re
import threading
import time
from dataclasses import dataclass, field

from django.db import connection

from .models import Company, Platform, Topic

__all__ = ["Evidence", "Matcher", "Suggestions", "forget_matcher", "get_matcher", "suggest"]

COMPANY, PLATFORM, TOPIC = "company", "platform", "topic"

# A word: letters and digits (accents included), or one Chinese/Japanese/Korean character, or
# one other non-space character (punctuation is a word of its own, so "JD.com" is three words).
_WORD = re.compile(
    r"[0-9A-Za-z\u00c0-\u024f]+|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|\S"
)
_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\uff07": "'"})
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_LOWER = re.compile(r"[a-z]")
_DIGIT = re.compile(r"[0-9]")
# An ordinary-looking word: it may need a second clue.
_ONE_WORD = re.compile(r"^[A-Za-z\u00c0-\u024f]+$")

HEADLINE_WEIGHT = 3
MAX_HEADLINE_CHARS = 1_000
MAX_BODY_CHARS = 100_000


def _written(text):
    """The text as matched exactly: one space for any run of spaces, straight apostrophes."""
    return _SPACES.sub(" ", text.translate(_QUOTES)).strip()


def _key(text):
    return _written(text).casefold()


def _words(text):
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


@dataclass(frozen=True)
class Evidence:
    """One reason for a suggestion, for the editor to see."""

    kind: str  # "company", "platform" or "topic"
    pk: int
    slug: str
    name: str
    matched: str  # the words in the text, or the entity that brought it ("owner of TikTok")
    where: str  # "headline", "body" or "implied"

    def as_dict(self):
        return {
            "kind": self.kind,
            "pk": self.pk,
            "slug": self.slug,
            "name": self.name,
            "matched": self.matched,
            "where": self.where,
        }


@dataclass
class Suggestions:
    companies: list = field(default_factory=list)
    platforms: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    evidence: list = field(default_factory=list)

    def as_dict(self):
        return {"companies": self.companies, "platforms": self.platforms, "topics": self.topics}


@dataclass(frozen=True)
class _Entity:
    kind: str
    pk: int
    slug: str
    name: str


@dataclass(frozen=True)
class _Form:
    """One way the text can name an entity (or, with entity None, a false friend)."""

    entity: _Entity | None
    written: str
    case_sensitive: bool
    weak: bool


def _is_ticker(form):
    # All capitals (with digits and dots): BABA, JD, 9988.HK. No lower-case letter at all.
    return bool(_LATIN_LETTER.search(form) or _DIGIT.search(form)) and not _LOWER.search(form)


def _form(entity, written, *, plain, needs_clue):
    """How strictly a name is matched. `plain`: the entity's own name or Chinese name."""
    written = _written(written)
    ticker = _is_ticker(written) and not any("\u3400" <= c <= "\u9fff" for c in written)
    letters = sum(c.isalpha() for c in written)
    one_word = bool(_ONE_WORD.match(written))
    weak = (ticker and letters <= 2 and not _DIGIT.search(written)) or (
        needs_clue and not ticker and (plain or one_word)
    )
    case_sensitive = ticker or weak or (one_word and letters <= 4)
    return _Form(entity, written, case_sensitive, weak)


class _Dictionary:
    """Phrases keyed by their case-folded words, with the word counts each first word starts."""

    def __init__(self):
        self.entries = {}
        self.lengths = {}

    def add(self, phrase, value):
        words = _words(phrase)
        if not words:
            return
        key = _key(phrase)
        self.entries.setdefault(key, []).append(value)
        first = _key(phrase[words[0][0] : words[0][1]])
        lengths = self.lengths.setdefault(first, [])
        if len(words) not in lengths:
            lengths.append(len(words))
            lengths.sort(reverse=True)


class Matcher:
    """The registry compiled for matching; build one with `Matcher.from_registry()`."""

    def __init__(self, companies, platforms, topics):
        """companies/platforms/topics: dicts as `from_registry` reads them."""
        self.names = _Dictionary()
        self.context = _Dictionary()  # clue words and topic keywords: never consume text
        self.related = {}  # entity -> entities whose strong mention is a clue for it
        self.parents = {}  # entity -> its owner or parent company
        company_of = {}
        for row in companies:
            entity = _Entity(COMPANY, row["pk"], row["slug"], row["name"])
            company_of[row["pk"]] = entity
            self._add_names(entity, row, [row["name"], row["name_zh"]])
        for row in companies:
            entity = company_of[row["pk"]]
            parent = company_of.get(row["parent_id"])
            if parent:
                self.parents[entity] = parent
                self.related.setdefault(entity, set()).add(parent)
                self.related.setdefault(parent, set()).add(entity)
        for row in platforms:
            entity = _Entity(PLATFORM, row["pk"], row["slug"], row["name"])
            self._add_names(entity, row, [row["name"]])
            owner = company_of.get(row["owner_id"])
            if owner:
                self.parents[entity] = owner
                self.related.setdefault(entity, set()).add(owner)
                self.related.setdefault(owner, set()).add(entity)
        for row in topics:
            entity = _Entity(TOPIC, row["pk"], row["slug"], row["name"])
            for word in row["keywords"]:
                self._add_context(word, entity)

    def _add_names(self, entity, row, plain_names):
        needs_clue = row["needs_second_clue"]
        for name in plain_names:
            if name.strip():
                self.names.add(name, _form(entity, name, plain=True, needs_clue=needs_clue))
        for alias in row["aliases"]:
            if alias.strip():
                self.names.add(alias, _form(entity, alias, plain=False, needs_clue=needs_clue))
        for phrase in row["false_friends"]:
            if phrase.strip():
                self.names.add(phrase, _Form(None, _written(phrase), False, False))
        for word in row["clue_words"]:
            self._add_context(word, ("clue", entity))

    def _add_context(self, word, value):
        word = word.strip()
        if not word:
            return
        self.context.add(word, value)
        if _LATIN_LETTER.search(word[-1]) and not word.endswith("s"):
            self.context.add(word + "s", value)

    @classmethod
    def from_registry(cls):
        """Four queries: companies, platforms, topics (only the columns matching needs)."""
        shared = ["pk", "slug", "name", "aliases", "needs_second_clue", "clue_words"]
        shared += ["false_friends"]
        return cls(
            list(Company.objects.values(*shared, "name_zh", "parent_id")),
            list(Platform.objects.values(*shared, "owner_id")),
            list(Topic.objects.values("pk", "slug", "name", "keywords")),
        )

    def _scan(self, text, where, mentions, context_hits):
        """Find names (longest first, left to right) and context words in one text."""
        words = _words(text)
        count = len(words)
        names, context = self.names, self.context
        resume = 0  # the first word after the last name found
        for i in range(count):
            first = _key(text[words[i][0] : words[i][1]])
            for length in context.lengths.get(first, ()):
                if i + length <= count:
                    span = text[words[i][0] : words[i + length - 1][1]]
                    for value in context.entries.get(_key(span), ()):
                        context_hits.append((value, where, span))
            if i < resume:
                continue
            for length in names.lengths.get(first, ()):
                if i + length > count:
                    continue
                span = text[words[i][0] : words[i + length - 1][1]]
                forms = names.entries.get(_key(span))
                if not forms:
                    continue
                written = _written(span)
                fitting = [f for f in forms if not f.case_sensitive or f.written == written]
                if not fitting:
                    continue
                for form in fitting:
                    if form.entity is not None:
                        mentions.append((form, written, where, words[i][0]))
                resume = i + length
                break

    def suggest(self, headline, body):
        headline = (headline or "")[:MAX_HEADLINE_CHARS]
        body = (body or "")[:MAX_BODY_CHARS]
        mentions, context_hits = [], []
        self._scan(headline, "headline", mentions, context_hits)
        self._scan(body, "body", mentions, context_hits)

        strong = {form.entity for form, *_ in mentions if not form.weak}
        clued = {value[1] for value, *_ in context_hits if isinstance(value, tuple)}

        def confirmed(entity):
            return (
                entity in strong
                or entity in clued
                or any(other in strong for other in self.related.get(entity, ()))
            )

        score, first_seen, evidence = {}, {}, {}
        for form, written, where, position in mentions:
            entity = form.entity
            if form.weak and not confirmed(entity):
                continue
            score[entity] = score.get(entity, 0) + (HEADLINE_WEIGHT if where == "headline" else 1)
            order = (0 if where == "headline" else 1, position)
            first_seen[entity] = min(first_seen.get(entity, order), order)
            evidence.setdefault(
                entity, Evidence(entity.kind, entity.pk, entity.slug, entity.name, written, where)
            )

        named = sorted(score, key=lambda e: (-score[e], first_seen[e]))
        implied = []
        for entity in named:
            parent = self.parents.get(entity)
            while parent is not None and parent not in score and parent not in implied:
                implied.append(parent)
                evidence[parent] = Evidence(
                    parent.kind,
                    parent.pk,
                    parent.slug,
                    parent.name,
                    f"{'owner' if entity.kind == PLATFORM else 'parent'} of {entity.name}",
                    "implied",
                )
                entity, parent = parent, self.parents.get(parent)

        topic_score, topic_words, topic_headline = {}, {}, set()
        for value, where, span in context_hits:
            if isinstance(value, _Entity):
                topic_score[value] = topic_score.get(value, 0) + 1
                topic_words.setdefault(value, []).append(_written(span))
                if where == "headline":
                    topic_headline.add(value)
        topics = [t for t in topic_score if t in topic_headline or topic_score[t] >= 2]
        topics.sort(key=lambda t: (t not in topic_headline, -topic_score[t], t.name))
        for topic in topics:
            evidence[topic] = Evidence(
                TOPIC,
                topic.pk,
                topic.slug,
                topic.name,
                ", ".join(dict.fromkeys(topic_words[topic])),
                "headline" if topic in topic_headline else "body",
            )

        ordered = named + implied
        return Suggestions(
            companies=[e.slug for e in ordered if e.kind == COMPANY],
            platforms=[e.slug for e in ordered if e.kind == PLATFORM],
            topics=[t.slug for t in topics],
            evidence=[evidence[e] for e in ordered + topics],
        )


# How stale another process's registry change may be here, at most.
STAMP_CHECK_SECONDS = 1.0


def registry_stamp():
    """Row counts and newest `updated_at` of companies, platforms and topics: one query."""
    parts = ", ".join(
        f"(SELECT count(*) FROM {table}), (SELECT max(updated_at) FROM {table})"
        for table in (m._meta.db_table for m in (Company, Platform, Topic))
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        return cursor.fetchone()


_lock = threading.Lock()
_built = {"stamp": None, "matcher": None, "checked": 0.0}


def get_matcher():
    """This process's matcher, rebuilt first if the registry changed since it was built."""
    with _lock:
        now = time.monotonic()
        if _built["matcher"] is not None and now - _built["checked"] < STAMP_CHECK_SECONDS:
            return _built["matcher"]
        stamp = registry_stamp()
        if _built["matcher"] is None or _built["stamp"] != stamp:
            _built["matcher"] = Matcher.from_registry()
            _built["stamp"] = stamp
        _built["checked"] = now
        return _built["matcher"]


def forget_matcher(**_signal_arguments):
    """Rebuild on the next call (a receiver of the registry's save and delete signals)."""
    with _lock:
        _built["matcher"] = None


def suggest(headline: str, body: str) -> Suggestions:
    """Companies, platforms and topics the registry finds in a story's text, strongest first."""
    return get_matcher().suggest(headline, body)
