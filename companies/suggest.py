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
- **Chinese place names** (`CHINESE_PLACES`: provinces, big cities, regions) are read first as
  whole words, like false friends, so a Chinese name is not read across a place name's edge:
  京东 is not in 南京东路 (Nanjing East Road) nor 北京东城, but is in 湖南京东 (Hunan + JD).
- **A second clue.** A weak mention counts only when the text also gives another clue. Weak are:
  all-letter tickers of four letters or fewer (JD, PDD, BIDU: initials, nicknames and
  abbreviations look the same), an entity's `weak_aliases` (Little Red Book, also Mao's book),
  and for entities marked `needs_second_clue` (Apple, Amazon, Wow, Didi) their name, Chinese
  name and one-word aliases. Clues are: a strong mention of the same entity (a ticker with
  digits, a longer name such as "Apple Inc."), a strong mention of its owner, parent, subsidiary
  or platform (Meituan for Wow), another weak form of it ("Apple (AAPL)"), one of its
  `clue_words` (iPhone for Apple); and for a company, a market word (`MARKET_WORDS`: shares,
  stock, Nasdaq, listed...) in the weak mention's sentence ("Shares of PDD fell", "(NASDAQ:
  PDD)"), or short tickers of two or more companies in one story ("BABA rose 3%. PDD gained
  5%.": a list of tickers is market talk). A weak mention listed beside a strong mention of
  another entity ("Tencent and JD", "阿里巴巴、京东") has its clue (`LIST_WORDS`). Clue words must be things the name's other meanings
  do not come with: for JD, whose other meanings include JD Sports (a retailer), "retailer" is
  no clue; for Amazon, whose other meaning is a river, it is.
- **Another proper name.** A weak mention directly followed (after one space) by a capitalised
  word is the start of some other name ("JD Sports", "Apple Daily") and does not count, unless
  that word starts a registry name ("JD Mall") or belongs to one of the entity's clue words
  ("Amazon Prime", "Apple Watch"), or is all capitals, a corporate suffix, a job title or a
  weekday (`ORDINARY_CAPITALS`: "Apple CEO", "Apple Chief Executive"). In title-case text
  ("Apple Launches Vision Pro") capitals say nothing, and the rule is off, except for a pair
  the body, in sentence case, shows to be another name ("Kwai Chung" in the headline "Kwai
  Chung Port Volumes Fall" and in the body). Short one-word names (four letters or fewer, not
  all capitals: Kwai, Meta, Temu) follow this rule too even when they need no clue: a short
  word is easily the first half of someone else's name ("Kwai Chung", a Hong Kong district).
- **Places.** A name directly followed by a lower-case place noun (`PLACE_NOUNS`: county,
  district, province, river, bay...) names a place ("Jingdong county", "Amazon river"), not
  the entity. Nouns with other senses after a company are not in the list: "village" (a
  "Taobao village" sells on Taobao), "city", "road", "port" ("Meituan city managers").
- **Titles.** A name inside Chinese title brackets 《…》 is (part of) the title of a book, film or
  album (Pink Floyd's 《月之暗面》 is not Moonshot AI): it counts as a weak mention, so only with a
  second clue.
- **Owners and parents.** An entity named prominently (in the headline, or twice: a score of
  `IMPLY_MIN_SCORE`) brings its owner, and every company so implied its parents, after the
  companies the text names itself. A platform named once in passing ("apps rebuilt for the
  system include WeChat") says nothing about its owner.
- **Topics.** A topic is suggested when one of its `keywords` is in the headline, or the text has
  two or more of them (every occurrence counts). Keywords and clue words also match with a
  plural "s" added.
- **Addresses.** Web addresses (https://..., www....) are skipped: a link to amazon.com is no
  mention of Amazon; the link's words in Markdown (`[Amazon's results](https://...)`) still are.
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
from typing import NamedTuple

from django.db import connection

from .models import Company, Platform, Topic

__all__ = ["Evidence", "Matcher", "Suggestions", "forget_matcher", "get_matcher", "suggest"]

COMPANY, PLATFORM, TOPIC = "company", "platform", "topic"
CLUE = "clue"

# A word: letters and digits (accents included), or one Chinese/Japanese/Korean character, or
# one other non-space character (punctuation is a word of its own, so "JD.com" is three words).
_WORD = re.compile(
    r"[0-9A-Za-z\u00c0-\u024f]+|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|\S"
)
_SPACES = re.compile(r"\s+")
# Web addresses are not text: "amazon" in a link to amazon.com is no mention of Amazon.
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\uff07": "'"})
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LOWER = re.compile(r"[a-z]")
_DIGIT = re.compile(r"[0-9]")
# An ordinary-looking word: it may need a second clue.
_ONE_WORD = re.compile(r"^[A-Za-z\u00c0-\u024f]+$")

HEADLINE_WEIGHT = 3
# Owners and parents are implied only by an entity scoring this much: in the headline, or named
# twice (a platform named once in passing says little about its owner).
IMPLY_MIN_SCORE = 2
# Tickers of this many letters or fewer (PDD, BIDU, JD; not 9988.HK) are ordinary-looking
# capitals: initials, nicknames, abbreviations. They need a second clue.
WEAK_TICKER_LETTERS = 4
# Words that make a sentence about a listed company: a weak mention of a company in the same
# sentence counts ("Shares of PDD fell", "(NASDAQ: PDD)").
# (Short words read best as one string, hence the noqa.)
MARKET_WORDS = frozenset(
    "shares stock stocks nasdaq nyse hkex listed ticker adr adrs 股价 股票 港股 美股".split()  # noqa: SIM905
)
# Capitalised words that follow a company's name without starting another name: corporate
# suffixes, job titles, weekdays ("Apple Inc", "Apple Chief Executive Tim Cook", "Amazon Tuesday
# said"). All-capital words (CEO, AI, TV) are let through too.
ORDINARY_CAPITALS = frozenset(
    (  # noqa: SIM905
        "inc corp corporation co ltd limited plc llc group holdings chief executive president "
        "vice senior chairman chairwoman founder cofounder director head boss spokesman "
        "spokeswoman spokesperson monday tuesday wednesday thursday friday saturday sunday"
    ).split()
)
# A weak name listed beside another registry name ("Tencent and JD", "Alibaba, JD") is in a list
# of companies and platforms: that is its clue.
LIST_WORDS = frozenset([",", "and", "or", "&", "、", "和", "与", "及"])
_SENTENCE_END = frozenset(".!?。！？")
_CJK_SENTENCE_END = frozenset("。！？")
# Chinese has no spaces, so a name can be read across the edge of a place name: 京东 (JD.com)
# inside 南京东路 (Nanjing East Road) or 北京东城. Place names are read first, as whole words
# (like false friends): provinces, big cities and regions, including those ending in 南/北/东/西
# that would otherwise expose the next characters (湖南京东 is Hunan + JD.com).
CHINESE_PLACES = (  # noqa: SIM905
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 "
    "湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 "
    "南京 东京 深圳 广州 杭州 成都 武汉 西安 苏州 济南 青岛 大连 厦门 长沙 郑州 东莞 南宁 "
    "西宁 华北 华南 华东 东北 西北 西南 北美 南美 东南亚"
).split()
# Lower-case nouns that make the name before them a place ("Jingdong county"). Not "village":
# "Taobao village" (a village selling on Taobao) is about Taobao.
# Only nouns that rarely follow a company in other senses: not "city", "road", "port" or "lake"
# ("Meituan city managers", "a Xiaomi road map", "an Alibaba Cloud lake house").
PLACE_NOUNS = frozenset(
    (  # noqa: SIM905
        "county counties district districts prefecture province township harbour harbor bay "
        "river mountain mountains valley"
    ).split()
)
# Chinese title brackets: 《书名》 holds the title of a book, film, album or song.
_TITLE = re.compile(r"《[^《》\n]{0,200}》")
MAX_HEADLINE_CHARS = 1_000
MAX_BODY_CHARS = 100_000


def _written(text):
    """The text as matched exactly: one space for any run of spaces, straight apostrophes."""
    return _SPACES.sub(" ", text.translate(_QUOTES)).strip()


def _key(text):
    return _written(text).casefold()


def _is_title_case(text):
    """Nearly all words of four letters or more capitalised, the first word aside ("Apple
    Launches Vision Pro"): capitals say nothing about names there."""
    longer = [w for w in _WORD.findall(text)[1:] if len(w) > 3 and _ONE_WORD.match(w)]
    return len(longer) >= 2 and sum(w[0].isupper() for w in longer) >= 0.8 * len(longer)


def _contains_words(text, phrase):
    """`phrase` is in `text` as whole words ("Kwai Chung", not "Kwai Chungking")."""
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


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


# Named tuples, not dataclasses: ten thousand entities are built and hashed quickly.
class _Entity(NamedTuple):
    kind: str
    pk: int
    slug: str
    name: str


class _Form(NamedTuple):
    """One way the text can name an entity (or, with entity None, a false friend)."""

    entity: _Entity | None
    written: str
    case_sensitive: bool
    weak: bool
    # One short ordinary-looking word (Kwai, Meta): may start someone else's name.
    short: bool = False


def _is_ticker(form):
    # All capitals (with digits and dots): BABA, JD, 9988.HK. No lower-case letter at all.
    return bool(_LATIN_LETTER.search(form) or _DIGIT.search(form)) and not _LOWER.search(form)


def _form(entity, written, *, plain, needs_clue, weak_alias=False):
    """How strictly a name is matched. `plain`: the entity's own name or Chinese name."""
    written = _written(written)
    ticker = _is_ticker(written) and not _CJK.search(written)
    one_word = bool(_ONE_WORD.match(written))
    letters = len(_LATIN_LETTER.findall(written)) if ticker else len(written)
    weak = (
        weak_alias
        or (ticker and letters <= WEAK_TICKER_LETTERS and not _DIGIT.search(written))
        or (needs_clue and not ticker and (plain or one_word))
    )
    short = one_word and letters <= 4 and not ticker
    case_sensitive = ticker or weak or short
    return _Form(entity, written, case_sensitive, weak, short)


class _Dictionary:
    """Phrases keyed by their case-folded words, with the word counts each first word starts."""

    def __init__(self):
        self.entries = {}
        self.lengths = {}

    def add(self, phrase, value):
        written = _written(phrase)
        words = _WORD.findall(written)
        if not words:
            return
        self.entries.setdefault(written.casefold(), []).append(value)
        lengths = self.lengths.setdefault(words[0].casefold(), [])
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
                self._add_context(word, (TOPIC, entity))
        for place in CHINESE_PLACES:
            self.names.add(place, _Form(None, place, False, False))

    def _add_names(self, entity, row, plain_names):
        needs_clue = row["needs_second_clue"]
        for name in plain_names:
            if name.strip():
                self.names.add(name, _form(entity, name, plain=True, needs_clue=needs_clue))
        weak_aliases = {_key(alias) for alias in row["weak_aliases"]}
        for alias in dict.fromkeys([*row["aliases"], *row["weak_aliases"]]):
            if alias.strip():
                form = _form(
                    entity,
                    alias,
                    plain=False,
                    needs_clue=needs_clue,
                    weak_alias=_key(alias) in weak_aliases,
                )
                self.names.add(alias, form)
        for phrase in row["false_friends"]:
            if phrase.strip():
                self.names.add(phrase, _Form(None, _written(phrase), False, False))
        for word in row["clue_words"]:
            self._add_context(word, (CLUE, entity))

    def _add_context(self, word, value):
        word = word.strip()
        if not word:
            return
        self.context.add(word, value)
        if _LATIN_LETTER.search(word[-1]) and not word.endswith("s"):
            self.context.add(word + "s", value)

    @classmethod
    def from_registry(cls):
        """Three queries: companies, platforms, topics (only the columns matching needs)."""
        return cls(*cls.rows_from_registry())

    @staticmethod
    def rows_from_registry():
        shared = ["pk", "slug", "name", "aliases", "needs_second_clue", "clue_words"]
        shared += ["false_friends", "weak_aliases"]
        return (
            list(Company.objects.values(*shared, "name_zh", "parent_id")),
            list(Platform.objects.values(*shared, "owner_id")),
            list(Topic.objects.values("pk", "slug", "name", "keywords")),
        )

    def _scan(self, text, where, mentions, context_hits, market, listed, body=""):
        """Find names (longest first, left to right) and context words in one text.

        mentions: (form, written, where, position, sentence); market: the (where, sentence)
        pairs holding a market word; listed: entities named weakly beside another name;
        body: the story's body, when `text` is its headline."""
        # Straight apostrophes once for the whole text (one character for one: positions hold);
        # a word has no spaces, so its key is just its case-folded self.
        text = text.translate(_QUOTES)
        words = _words(text)
        firsts = [text[start:end].casefold() for start, end in words]
        count = len(words)
        names, context = self.names, self.context
        resume = 0  # the first word after the last name found
        sentence = 0
        title_case = None  # worked out only when needed
        spans = []  # (first word, word after, form) of each mention, for `listed`
        titles = [m.span() for m in _TITLE.finditer(text)] if "《" in text else ()
        for i in range(count):
            first = firsts[i]
            if first in _SENTENCE_END and i > 0 and self._ends_sentence(text, words, i):
                sentence += 1
                continue
            if first in MARKET_WORDS:
                market.add((where, sentence))
            if first not in context.lengths and (i < resume or first not in names.lengths):
                continue
            for length in context.lengths.get(first, ()):
                if i + length <= count:
                    span = text[words[i][0] : words[i + length - 1][1]]
                    for value in context.entries.get(_key(span), ()):
                        context_hits.append((value, where, span))
            if i < resume:
                continue
            found = self._name_at(text, words, firsts, i)
            if found is None:
                continue
            length, fitting = found
            resume = i + length
            for form in fitting:
                if form.entity is None:
                    continue
                if (form.weak or form.short) and self._part_of_another_name(
                    text, words, firsts, i, length, form
                ):
                    if title_case is None:
                        title_case = _is_title_case(text)
                    if not title_case:
                        continue
                    pair = text[words[i][0] : words[resume][1]]
                    if _contains_words(body, pair) and not _is_title_case(body):
                        continue
                if self._before_place_noun(text, words, firsts, resume):
                    continue
                if titles and any(a < words[i][0] < b for a, b in titles):
                    form = form._replace(weak=True)
                written = _written(text[words[i][0] : words[resume - 1][1]])
                mentions.append((form, written, where, words[i][0], sentence))
                spans.append((i, resume, form))
        strong_starts = {i for i, _, form in spans if not form.weak}
        strong_ends = {end for _, end, form in spans if not form.weak}
        for i, end, form in spans:
            if form.weak and (
                (end + 1 in strong_starts and firsts[end] in LIST_WORDS)
                or (i - 1 in strong_ends and firsts[i - 1] in LIST_WORDS)
            ):
                listed.add(form.entity)

    def _name_at(self, text, words, firsts, i):
        """(word count, fitting forms) of the longest registry name starting at word i."""
        for length in self.names.lengths.get(firsts[i], ()):
            if i + length > len(words):
                continue
            span = text[words[i][0] : words[i + length - 1][1]]
            forms = self.names.entries.get(_key(span))
            if not forms:
                continue
            written = _written(span)
            fitting = [f for f in forms if not f.case_sensitive or f.written == written]
            if fitting:
                return length, fitting
        return None

    @staticmethod
    def _ends_sentence(text, words, i):
        """Word i ends a sentence: "。", or "." followed by a space or the end ("JD.com" is no
        end)."""
        if text[words[i][0]] in _CJK_SENTENCE_END:
            return True
        end = words[i][1]
        return end == len(text) or text[end].isspace()

    @staticmethod
    def _before_place_noun(text, words, firsts, k):
        """Word k, after one space, is a lower-case place noun ("Jingdong county")."""
        return (
            k < len(words)
            and firsts[k] in PLACE_NOUNS
            and text[words[k][0]].islower()
            and text[words[k - 1][1] : words[k][0]] == " "
        )

    def _part_of_another_name(self, text, words, firsts, i, length, form):
        """A weak mention directly followed by a capitalised word is the start of some other
        proper name ("JD Sports", "Apple Daily"), unless that word starts a registry name or
        belongs to one of the entity's clue words ("Amazon Prime", "Apple Watch")."""
        k = i + length
        if k >= len(words) or text[words[k - 1][1] : words[k][0]] != " ":
            return False
        following = text[words[k][0] : words[k][1]]
        if not (following[0].isupper() and _ONE_WORD.match(following)):
            return False
        if following.isupper() or firsts[k] in ORDINARY_CAPITALS:
            return False
        if self._name_at(text, words, firsts, k) is not None:
            return False
        clue = (CLUE, form.entity)
        for start in (i, k):
            for size in self.context.lengths.get(firsts[start], ()):
                if start + size > k and start + size <= len(words):
                    span = text[words[start][0] : words[start + size - 1][1]]
                    if clue in self.context.entries.get(_key(span), ()):
                        return False
        return True

    def suggest(self, headline, body):
        headline = (headline or "")[:MAX_HEADLINE_CHARS]
        body = (body or "")[:MAX_BODY_CHARS]
        body = _ADDRESS.sub(" ", body)
        headline = _ADDRESS.sub(" ", headline)
        mentions, context_hits, market, listed = [], [], set(), set()
        self._scan(headline, "headline", mentions, context_hits, market, listed, body)
        self._scan(body, "body", mentions, context_hits, market, listed)

        strong = {form.entity for form, *_ in mentions if not form.weak}
        clued = {entity for (what, entity), *_ in context_hits if what == CLUE} | listed
        clued.update(
            form.entity
            for form, _, where, _, sentence in mentions
            if form.entity.kind == COMPANY and (where, sentence) in market
        )
        weak_forms = {}
        for form, *_ in mentions:
            if form.weak:
                weak_forms.setdefault(form.entity, set()).add(form.written)
        clued.update(entity for entity, forms in weak_forms.items() if len(forms) >= 2)
        ticker_companies = {
            form.entity
            for form, *_ in mentions
            if form.weak and form.entity.kind == COMPANY and _is_ticker(form.written)
        }
        if len(ticker_companies) >= 2:
            clued.update(ticker_companies)

        def confirmed(entity):
            return (
                entity in strong
                or entity in clued
                or any(other in strong for other in self.related.get(entity, ()))
            )

        score, first_seen, evidence = {}, {}, {}
        for form, written, where, position, _ in mentions:
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
            if score[entity] < IMPLY_MIN_SCORE:
                continue
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
        for (what, topic), where, span in context_hits:
            if what == TOPIC:
                topic_score[topic] = topic_score.get(topic, 0) + 1
                topic_words.setdefault(topic, []).append(_written(span))
                if where == "headline":
                    topic_headline.add(topic)
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
