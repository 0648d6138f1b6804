"""Full-text search over published stories, and the upkeep of Story.search_vector.

The vector is weighted: A headline, B summary, C body (English stemming), D the names, Chinese
names and aliases of the story's companies and platforms ('simple' config, so tickers such as
9988.HK and names such as 阿里巴巴集团 stay whole).

PostgreSQL's parser keeps a run of Chinese characters as one token, so 阿里巴巴 would never
match 阿里巴巴集团. Search therefore also matches companies and platforms directly (name, Chinese
name, aliases, by substring), shows them above the results, and widens the text query with
their names, which every story about them carries in its D weight. The whole query stays one
`search_vector @@ tsquery` condition, served by the GIN index `story_search_gin`.
"""

import json
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Concat
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Company, Platform, Story

MAX_QUERY_LENGTH = 200
MAX_CANDIDATES = 500
# Above this many estimated matches, walking the newest stories finds MAX_CANDIDATES sooner
# than collecting every match from the GIN index.
COMMON_MATCHES = 8000
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
    || setweight(to_tsvector('simple', {_NAMES_SQL}), 'D')
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
    if action == "pre_clear" and reverse:
        # The reverse side's pk_set is None on clear: remember which stories lose the tag.
        instance._search_clear_ids = list(instance.stories.values_list("pk", flat=True))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        update_search_vectors([instance.pk])
    elif action == "post_clear":
        update_search_vectors(getattr(instance, "_search_clear_ids", []))
    else:
        update_search_vectors(pk_set or [])


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
    stories: object = None  # a queryset, paginated by the view
    count: int = 0

    @property
    def capped(self):
        """True when there were more matches than we rank (only the newest are shown)."""
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
        Company.objects.annotate(alias_text=_ArrayToString(F("aliases")))
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
        Platform.objects.annotate(alias_text=_ArrayToString(F("aliases")))
        .filter(Q(name__icontains=text) | Q(alias_text__icontains=text))
        .select_related("owner")
        .order_by("name")[:limit]
    )


def build_tsquery(text, names=()):
    query = SearchQuery(text, config="english", search_type="websearch") | SearchQuery(
        text, config="simple", search_type="websearch"
    )
    for name in names:
        # All words of the name rather than the phrase: the GIN index answers that exactly,
        # without rechecking each row's vector.
        query |= SearchQuery(name, config="simple", search_type="plain")
    return query


class _Headline(Func):
    """ts_headline over summary and body, with sentinel markers instead of HTML."""

    function = "ts_headline"
    output_field = TextField()

    def __init__(self, text, query):
        options = f"StartSel={_START}, StopSel={_STOP}, MaxWords=35, MinWords=15, MaxFragments=2"
        super().__init__(Value("english"), text, query, Value(options))


def snippet_html(raw):
    """Escape a ts_headline result, then turn the sentinels into <mark> elements."""
    if not raw:
        return ""
    html = escape(raw).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)


def candidate_ids(tsquery):
    """The newest MAX_CANDIDATES published matches (3 queries).

    Ranking every match of a common word (tens of thousands of rows) takes seconds, so only
    the newest matches are ranked: a news reader wants recent stories anyway. Finding them
    fast depends on how common the words are, which the planner misjudges: for a word in one
    story in fifty it walks the published_at index and tests every row's vector (hundreds of
    milliseconds at 100,000 stories). So we ask for its estimate first: common words walk the
    newest stories (a few hundred rows reach the limit); rarer ones may only use bitmap scans,
    which go through the GIN index.
    """
    newest = (
        Story.objects.published()
        .filter(search_vector=tsquery)
        .order_by("-published_at")
        .values_list("pk", flat=True)[:MAX_CANDIDATES]
    )
    plan = json.loads(newest.explain(format="json"))
    scan = plan[0]["Plan"]
    while scan.get("Plans") and scan.get("Node Type") in ("Limit", "Sort", "Result"):
        scan = scan["Plans"][0]
    common = scan.get("Plan Rows", 0) > COMMON_MATCHES
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        switch = "on" if common else "off"
        cursor.execute(
            "SELECT set_config('enable_seqscan', 'off', true),"
            " set_config('enable_indexscan', %s, true)",
            [switch],
        )
        return list(newest)


def search(raw_query):
    """Search published stories; returns SearchResults whose `stories` is a ranked queryset.

    Costs 2 queries (companies, platforms) here; the view adds count, page and prefetches.
    """
    text, shortened = clean_query(raw_query)
    results = SearchResults(query=text, shortened=shortened)
    if not text:
        return results
    results.companies = matching_companies(text)
    results.platforms = matching_platforms(text)
    names = [c.name for c in results.companies] + [p.name for p in results.platforms]
    tsquery = build_tsquery(text, names)
    stripped = Func(
        Concat(F("summary"), Value(" "), F("body"), output_field=TextField()),
        # Our sentinels and the Markdown punctuation a reader should not see in a snippet.
        Value(r"[\ue000\ue001*_`#>\[]|\]\([^)]*\)"),
        Value(""),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
    ids = candidate_ids(tsquery)
    results.count = len(ids)
    results.stories = (
        Story.objects.filter(pk__in=ids)
        .annotate(
            rank=SearchRank(F("search_vector"), tsquery), snippet=_Headline(stripped, tsquery)
        )
        .for_timeline()
        .order_by("-rank", "-event_date", "-pk")
    )
    return results
