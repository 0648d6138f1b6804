"""Full-text search over published stories, and the upkeep of Story.search_vector.

The vector is weighted: A headline, B summary, C body, D the names, Chinese names and aliases of
the story's companies and platforms, all with the 'english' configuration, so that one query
(one `websearch_to_tsquery('english', ...)`) matches every weight and the planner estimates
its matches from one set of lexemes. The English parser keeps tickers such as 9988.HK and
names such as 阿里巴巴集团 whole, as the 'simple' configuration would.

PostgreSQL's parser keeps a run of Chinese characters as one token, so 阿里巴巴 would never
match 阿里巴巴集团. Search therefore also matches companies and platforms directly (name, Chinese
name, aliases, by substring), shows them above the results, and widens the text query with
their names, which every story about them carries in its D weight. The whole query stays one
`search_vector @@ tsquery` condition, served by the partial GIN index
`story_published_search_gin` or by the published_at index (see _is_rare).

A query that matches no story and names no company or platform may be a name misspelt
("alibabba", "tiktk"): the page then offers the closest company, platform or topic by trigram
similarity (pg_trgm's measure, computed in Python: see `suggestion`). Snippets start at the
beginning of the sentence holding the first match (see `sentence_snippet`).
"""

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, Func, Q, TextField, Value, Window
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from .models import Company, Platform, Story
from .tag_changes import stories_touched

MAX_QUERY_LENGTH = 200
# How many of the newest matches are ranked and counted: "at least 200 stories" above it.
MAX_CANDIDATES = 200
# Above this many estimated matches, walking the newest stories finds MAX_CANDIDATES sooner
# than collecting every match from the GIN index (see _is_rare).
COMMON_MATCHES = 6000
# Sentinels for ts_headline: private-use characters that cannot survive in stored text (they are
# stripped from the input first), replaced by <mark> only after the rest has been escaped.
_START, _STOP = "\ue000", "\ue001"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")

_NAMES_SQL = """
coalesce((
    SELECT string_agg(concat_ws(' ', c.name, c.name_zh, array_to_string(c.aliases, ' ')), ' ')
    FROM stories_story_companies sc JOIN companies_company c ON c.id = sc.company_id
    WHERE sc.story_id = s.id
), '') || ' ' || coalesce((
    SELECT string_agg(concat_ws(' ', p.name, array_to_string(p.aliases, ' ')), ' ')
    FROM stories_story_platforms sp JOIN companies_platform p ON p.id = sp.platform_id
    WHERE sp.story_id = s.id
), '')
"""

_UPDATE_SQL = f"""
UPDATE stories_story s SET search_vector =
    setweight(to_tsvector('english', coalesce(s.headline, '')), 'A')
    || setweight(to_tsvector('english', coalesce(s.summary, '')), 'B')
    || setweight(to_tsvector('english', coalesce(s.body, '')), 'C')
    || setweight(to_tsvector('english', {_NAMES_SQL}), 'D')
"""


def update_search_vectors(story_ids=None):
    """Recompute the vector of the given stories (all stories when None) in one UPDATE."""
    if story_ids is not None:
        story_ids = list(story_ids)
        if not story_ids:
            return
    with connection.cursor() as cursor:
        if story_ids is None:
            cursor.execute(_UPDATE_SQL)
        else:
            cursor.execute(_UPDATE_SQL + " WHERE s.id = ANY(%s)", [story_ids])


# --- Keeping vectors fresh -------------------------------------------------------------------

_TEXT_FIELDS = {"headline", "summary", "body"}


def _story_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    # Workflow transitions save only status/published_at: the text did not change.
    if update_fields is not None and not (_TEXT_FIELDS & set(update_fields)):
        return
    update_search_vectors([instance.pk])


def _tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    story_ids = stories_touched(instance, action, reverse, pk_set, "_search_clear_ids")
    if story_ids is not None:
        update_search_vectors(story_ids)


def _names_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._search_names = None
        return
    instance._search_names = (
        sender.objects.filter(pk=instance.pk).values_list(*_name_fields(sender)).first()
    )


def _names_saved(sender, instance, created, raw=False, **kwargs):
    if raw or created:
        return
    now = tuple(getattr(instance, name) for name in _name_fields(sender))
    before = getattr(instance, "_search_names", None)
    if before is not None and tuple(before) == now:
        return
    update_search_vectors(instance.stories.values_list("pk", flat=True))


def _name_fields(model):
    return ("name", "name_zh", "aliases") if model is Company else ("name", "aliases")


def connect_signals():
    post_save.connect(_story_saved, sender=Story, dispatch_uid="search_story_saved")
    for through in (Story.companies.through, Story.platforms.through):
        m2m_changed.connect(_tags_changed, sender=through, dispatch_uid=f"search_tags_{through}")
    for model in (Company, Platform):
        pre_save.connect(_names_before, sender=model, dispatch_uid=f"search_names_pre_{model}")
        post_save.connect(_names_saved, sender=model, dispatch_uid=f"search_names_{model}")


# --- Searching -------------------------------------------------------------------------------


def clean_query(raw):
    """Return (query, was_shortened): control characters removed, whitespace squeezed."""
    text = " ".join(_CONTROL.sub(" ", raw or "").split())
    if len(text) > MAX_QUERY_LENGTH:
        return text[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0] or text[:MAX_QUERY_LENGTH], True
    return text, False


@dataclass
class SearchResults:
    query: str
    shortened: bool = False
    companies: list = field(default_factory=list)
    platforms: list = field(default_factory=list)
    page: Page | None = None  # the requested page of stories, each with .rank and .snippet
    suggestion: str = ""  # "did you mean": a name close to a misspelt query
    count: int = 0  # matches, counted up to MAX_CANDIDATES

    @property
    def suggestion_query(self):
        """The query string of a search for the suggested name."""
        return urlencode({"q": self.suggestion})

    @property
    def capped(self):
        """True when the count stopped at the limit: there may be older matches, not ranked."""
        return self.count >= MAX_CANDIDATES


class _ArrayToString(Func):
    function = "array_to_string"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = TextField()


def matching_companies(text, limit=8):
    """Companies whose name, Chinese name or any alias contains the text (case-insensitive)."""
    if len(text) < 2:
        return []
    return list(
        Company.objects.public()
        .annotate(alias_text=_ArrayToString(F("aliases")))
        .filter(
            Q(name__icontains=text) | Q(name_zh__icontains=text) | Q(alias_text__icontains=text)
        )
        .select_related("parent")
        .order_by("name")[:limit]
    )


def matching_platforms(text, limit=8):
    if len(text) < 2:
        return []
    return list(
        Platform.objects.public()
        .annotate(alias_text=_ArrayToString(F("aliases")))
        .filter(Q(name__icontains=text) | Q(alias_text__icontains=text))
        .select_related("owner")
        .order_by("name")[:limit]
    )


# How close a name must come to the query to be offered as "did you mean": the greater of the
# trigram similarity of the whole strings and of the query within a longer name ("alibabba" in
# "Alibaba Group"), as PostgreSQL's pg_trgm measures them. The embedded PostgreSQL the project
# starts by default has no contrib extensions, so the measure is computed here, over the names
# one query reads. Misspellings of a name of 5+ letters score 0.55-0.8; two unrelated words
# rarely pass 0.3.
SUGGEST_THRESHOLD = 0.5

# Every name a reader may mean: approved companies (name, Chinese name, aliases), platforms
# (name, aliases) and topics (name), each with the name to offer (proposals are public
# nowhere: Company.objects.public()). The registry is read whole, which is why this runs only
# for searches that found nothing.
_NAMES_SQL = """
SELECT c.name, lower(t) FROM companies_company c,
       unnest(c.aliases || ARRAY[c.name, c.name_zh]) AS t
 WHERE c.approved AND t <> ''
UNION ALL
SELECT p.name, lower(t) FROM companies_platform p, unnest(p.aliases || ARRAY[p.name]) AS t
 WHERE p.approved AND t <> ''
UNION ALL
SELECT name, lower(name) FROM companies_topic
"""

_TRIGRAM_WORD = re.compile(r"[^\W_]+")


def trigrams(text):
    """The trigrams of `text` in order, as pg_trgm makes them: lower case, each word of letters
    and digits padded with two spaces in front and one behind."""
    found = []
    for word in _TRIGRAM_WORD.findall(text.lower()):
        padded = f"  {word} "
        found += [padded[i : i + 3] for i in range(len(padded) - 2)]
    return found


def _word_similarity(query, name):
    """pg_trgm's word_similarity: the best similarity between the query's trigrams and those of
    any run of consecutive trigrams of `name`."""
    best = 0.0
    for start in range(len(name)):
        run = set()
        for gram in name[start:]:
            run.add(gram)
            shared = len(query & run)
            best = max(best, shared / (len(query) + len(run) - shared))
    return best


def closest_name(text, names):
    """The label of the (label, term) pair whose term the query `text` most likely misspells,
    with whether a term is already in the query (or the query in it): ranked by the best score
    of any of a label's terms, then by the best whole-string similarity ("alibabba" is as close
    to "Alibaba Cloud" as to "Alibaba Group" word by word, but Alibaba Group's alias "Alibaba"
    is closer as a whole). (None, False) when nothing comes close enough."""
    query = set(trigrams(text))
    if not query:
        return None, False
    best = {}  # label -> (present, score, whole)
    for label, term in names:
        present = term in text or text in term
        grams = trigrams(term)
        shared = len(query & set(grams))
        # The best score a term can reach is shared / len(query): skip the hopeless cheaply.
        if not present and shared < SUGGEST_THRESHOLD * len(query):
            continue
        whole = shared / len(query | set(grams))
        score = max(whole, _word_similarity(query, grams))
        kept = best.get(label, (False, 0.0, 0.0))
        best[label] = (kept[0] or present, max(kept[1], score), max(kept[2], whole))
    ranked = sorted(
        ((present, score, whole, label) for label, (present, score, whole) in best.items()),
        key=lambda row: (not row[0], -row[1], -row[2], row[3]),
    )
    for present, score, _whole, label in ranked[:1]:
        if present or score >= SUGGEST_THRESHOLD:
            return label, present
    return None, False


def suggestion(text):
    """The name of the company, platform or topic the reader probably meant (1 query), or "".

    Nothing is offered when a name already appears in the query or contains it: the reader
    spelt it right.
    """
    if len(text) < 3:
        return ""
    with connection.cursor() as cursor:
        cursor.execute(_NAMES_SQL)
        names = cursor.fetchall()
    label, present = closest_name(text.lower(), names)
    if label is None or present:
        return ""
    return label


def build_tsquery(text, names=()):
    query = SearchQuery(text, config="english", search_type="websearch")
    for name in names:
        # All words of the name rather than the phrase: the GIN index answers that exactly,
        # without rechecking each row's vector.
        query |= SearchQuery(name, config="english", search_type="plain")
    return query


class _Headline(Func):
    """ts_headline with sentinel markers instead of HTML, over the whole text: the snippet is
    cut from it at a sentence (sentence_snippet)."""

    function = "ts_headline"
    output_field = TextField()

    def __init__(self, text, query):
        options = f"StartSel={_START}, StopSel={_STOP}, HighlightAll=true"
        super().__init__(Value("english"), text, query, Value(options))


SNIPPET_WORDS = 35
# A sentence ends at . ! ? (or a closing quote after them) followed by a space and what can
# start a sentence, or at a Chinese full stop. "U.S. Regulators" splits wrongly; rare enough.
_SENTENCE_END = re.compile(
    r"(?<=[.!?][\"”’')\]])\s+(?=\S)|(?<=[.!?])\s+(?=[\"“‘'(\[\ue000]?[A-Z0-9\u4e00-\u9fff])"
    r"|(?<=[。！？])"
)


def sentence_snippet(marked):
    """The text from the start of the sentence holding the first marked word, at most
    SNIPPET_WORDS words ("…" where it is cut). Without a mark, the text's first words."""
    sentences = [part for part in _SENTENCE_END.split(marked) if part]
    start = next((i for i, sentence in enumerate(sentences) if _START in sentence), 0)
    text = ""
    for sentence in sentences[start:]:
        # Chinese sentences follow each other without a space.
        gap = "" if not text or text.endswith(("。", "！", "？")) else " "
        text += gap + sentence.strip()
    snippet = Truncator(text).words(SNIPPET_WORDS, truncate="…")
    if snippet.count(_START) > snippet.count(_STOP):
        snippet += _STOP
    return snippet


def snippet_html(raw):
    """Cut a ts_headline result at a sentence, escape it, then turn the sentinels into <mark>
    elements."""
    if not raw:
        return ""
    html = escape(sentence_snippet(raw)).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)


def _candidates(tsquery, through_index=False):
    """The newest MAX_CANDIDATES published matches, in one of two ways (see _is_rare).

    through_index: order so that the published_at index cannot give the order (it keeps
    NULLs first; published stories have no NULL published_at, so the order is the same), which
    leaves PostgreSQL one way: collect the matches through the GIN index, keep the newest.
    """
    newest = F("published_at").desc(nulls_last=True) if through_index else "-published_at"
    return (
        Story.objects.published()
        .filter(search_vector=tsquery)
        .order_by(newest)
        .values("pk")[:MAX_CANDIDATES]
    )


def _is_rare(tsquery):
    """Whether collecting every match through the GIN index is the cheaper way (1 query).

    Ranking every match of a common word (tens of thousands of rows) takes seconds, so only the
    newest matches are ranked: a news reader wants recent stories anyway. There are two ways to
    find them. Walking the published_at index tests each story's vector in turn and stops at
    MAX_CANDIDATES matches: about MAX_CANDIDATES × published / matches rows. Collecting every
    match through the GIN index and keeping the newest reads each match once. Per row the walk
    costs about twice as much (it fetches and tests the vector), so the two are even when the
    matches reach about sqrt(2 × MAX_CANDIDATES × published): 6,000 at 100,000 stories, the
    bench's archive (the cost near there is flat, so a constant off by a few thousand costs
    little). The planner's own break-even sits several times lower (it prices the vector test
    like an integer comparison): it walks for words in one story in a hundred, many times
    slower than the index. Its estimate of the matches is good, though, so we ask for it and,
    below the break-even, send the query in the form it cannot walk.
    """
    scan = json.loads(_candidates(tsquery).explain(format="json"))[0]["Plan"]
    processes = 1
    while scan.get("Plans") and scan["Node Type"] in _ABOVE_THE_SCAN:
        # A parallel scan's estimate is per process.
        processes += scan.get("Workers Planned", 0)
        scan = scan["Plans"][0]
    return scan.get("Plan Rows", 0) * processes <= COMMON_MATCHES


_ABOVE_THE_SCAN = {"Limit", "Sort", "Incremental Sort", "Result", "Gather", "Gather Merge"}


def search(raw_query, page_number=1, per_page=20):
    """One page of published stories matching the query, best first (4 queries, 0 when empty,
    5 when nothing matches).

    Matching companies and platforms (2 queries), the planner's estimate of the matches (1),
    then one query finds the newest matches, ranks them and returns the requested page with
    how many there are; when nothing matched at all, the closest name for a "did you mean"
    (1). The caller adds the stories' tags. `results.page` is None when the
    page does not exist.
    """
    text, shortened = clean_query(raw_query)
    results = SearchResults(query=text, shortened=shortened)
    if not text:
        return results
    results.companies = matching_companies(text)
    results.platforms = matching_platforms(text)
    names = [c.name for c in results.companies] + [p.name for p in results.platforms]
    tsquery = build_tsquery(text, names)
    # The snippet marks the reader's words in the summary, the one paragraph that tells the
    # story on its own (and what a card shows anyway). ts_headline parses all the text it is
    # given, every time: over the body too it cost several times as much per result.
    stripped = Func(
        F("summary"),
        # Our sentinels and the Markdown punctuation a reader should not see in a snippet.
        Value(r"[\ue000\ue001*_`#>\[]|\]\([^)]*\)"),
        Value(""),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
    offset = (page_number - 1) * per_page
    if offset >= MAX_CANDIDATES:
        return results  # no such page
    candidates = _candidates(tsquery, through_index=_is_rare(tsquery))
    # Ranking reads each candidate's vector; the snippet, the costly part, is computed by
    # PostgreSQL for the returned rows only (after the sort and limit); the window counts
    # every candidate before the limit, so the count costs no second query.
    ranked = (
        Story.objects.filter(pk__in=candidates)
        .annotate(
            rank=SearchRank(F("search_vector"), tsquery),
            snippet=_Headline(stripped, tsquery),
            matches=Window(Count("pk")),
        )
        .for_timeline()
        .order_by("-rank", "-event_date", "-pk")
    )
    stories = list(ranked[offset : offset + per_page])
    results.count = stories[0].matches if stories else 0
    if not (stories or results.companies or results.platforms) and page_number == 1:
        # Nothing found and no name matched: perhaps a name was misspelt.
        results.suggestion = suggestion(text)
    paginator = Paginator([], per_page)
    paginator.count = results.count
    if page_number == 1 or page_number <= paginator.num_pages:
        results.page = Page(stories, page_number, paginator)
    return results
