"""The timeline component shared by company, platform and topic pages (and their feeds).

A company's coverage rolls up: stories about the company itself, about its platforms, and about
its subsidiaries (at any depth) and their platforms. Each rolled-up story says why it is there.
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, DateField, Func, Subquery
from django.db.models.functions import TruncMonth
from django.http import Http404

from companies.links import public_path

from .extras import attach_extras
from .models import Company, Platform, Story

PER_PAGE = 30
# The most months a coverage chart shows (its newest ones).
CHART_MONTHS = 24


def page_number(request, name="page"):
    """The requested page as a positive int; anything else (0, -1, abc, 10**9 digits) is a 404."""
    raw = request.GET.get(name, "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        raise Http404("No such page.")
    return int(raw)


def paginate(request, queryset, per_page, count=None):
    """One count query (none when the caller knows the count) and one page query; pages past
    the end answer 404."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count
    try:
        return paginator.page(page_number(request))
    except EmptyPage:
        raise Http404("No such page.") from None


@dataclass
class UncountedPage:
    """A page of a list whose length nobody counted: it knows whether another page follows.

    Reads like a Django Page in templates (`_pagination.html` prints no total without a
    paginator).
    """

    object_list: list
    number: int
    has_next: bool
    paginator = None

    @property
    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_previous or self.has_next

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


def paginate_uncounted(request, queryset, per_page):
    """One query: the requested page and one row more, to learn whether a next page exists.

    Timelines are not counted: counting a company's stories read its whole history (as
    planned, every published story of the archive) on every page. Pages past the end are 404.
    """
    number = page_number(request)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    if not rows and number > 1:
        raise Http404("No such page.")
    return UncountedPage(rows[:per_page], number, has_next=len(rows) > per_page)


@dataclass
class CompanyFamily:
    """A company, its subsidiaries at any depth, and the platforms they run."""

    company: Company
    parent: dict | None = None
    children: list = field(default_factory=list)
    company_ids: set = field(default_factory=set)
    names: dict = field(default_factory=dict)
    platforms: list = field(default_factory=list)  # dicts: id, name, slug, owner_id

    @property
    def own_platforms(self):
        return [p for p in self.platforms if p["owner_id"] == self.company.pk]

    @property
    def platform_ids(self):
        return {p["id"] for p in self.platforms}


def company_family(company):
    """Two queries: every company's (id, parent, name, slug), then the family's platforms."""
    rows = list(Company.objects.public().order_by("name").values("id", "parent_id", "name", "slug"))
    by_id = {row["id"]: row for row in rows}
    children = {}
    for row in rows:
        children.setdefault(row["parent_id"], []).append(row)
    family = CompanyFamily(company=company, parent=by_id.get(company.parent_id))
    family.children = children.get(company.pk, [])
    for row in [family.parent, *family.children]:
        if row is not None:
            row["url"] = public_path("company_detail", row["slug"])
    # Walk down the tree; the seen-set guards against a cycle an admin might create.
    todo = [company.pk]
    while todo:
        current = todo.pop()
        if current in family.company_ids:
            continue
        family.company_ids.add(current)
        todo.extend(child["id"] for child in children.get(current, []))
    family.names = {pk: by_id[pk]["name"] for pk in family.company_ids if pk in by_id}
    family.platforms = list(
        Platform.objects.public()
        .filter(owner_id__in=family.company_ids)
        .order_by("name")
        .values("id", "name", "slug", "owner_id")
    )
    for row in family.platforms:
        row["url"] = public_path("platform_detail", row["slug"])
    return family


def join_names(names):
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def label_for(story, family):
    """'via TikTok' / 'via Taobao and Tmall Group' when a story is there through the family."""
    if any(c.pk == family.company.pk for c in story.company_list):
        return ""
    platform_ids = family.platform_ids
    reasons = [p.name for p in story.platform_list if p.pk in platform_ids]
    reasons += [c.name for c in story.company_list if c.pk in family.company_ids]
    return f"via {join_names(reasons)}" if reasons else ""


def _months_between(first, last):
    """The first days of the months from first's to last's, oldest first."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return months


class _MonthsBefore(Func):
    """The first day of the month `months` months before the month of a date."""

    output_field = DateField()
    template = "(date_trunc('month', %(expressions)s) - make_interval(months => %(months)d))::date"


# The chart's drawing: bar width and gap, height, and the fewest month slots it is drawn on
# (a short coverage keeps narrow bars, right-aligned, instead of a few stretched blocks).
BAR_WIDTH, BAR_GAP, BAR_HEIGHT, MIN_SLOTS = 12, 4, 80, 6


def coverage(stories):
    """Published stories per month, oldest first, with chart geometry (one query), or None
    when `stories` is empty: an entity nobody has written about gets no chart.

    The chart spans the entity's own coverage: from its first month with a story to its last,
    at most CHART_MONTHS months (the newest ones). The query counts only those months,
    whatever the archive's size: from CHART_MONTHS - 1 months before the newest story's month
    (found through the index of published stories by event date).
    """
    newest = stories.order_by("-event_date").values("event_date")[:1]
    counts = dict(
        stories.filter(event_date__gte=_MonthsBefore(Subquery(newest), months=CHART_MONTHS - 1))
        .annotate(month=TruncMonth("event_date"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    if not counts:
        return None
    months = _months_between(min(counts), max(counts))
    peak = max(counts.values())
    slots = max(len(months), MIN_SLOTS)
    offset = slots - len(months)
    step = BAR_WIDTH + BAR_GAP
    bars = []
    for i, first in enumerate(months, start=offset):
        n = counts.get(first, 0)
        bar_height = round(BAR_HEIGHT * n / peak)
        bars.append(
            {
                "month": first,
                "count": n,
                "x": i * step,
                "y": BAR_HEIGHT - bar_height,
                "height": bar_height,
                "width": BAR_WIDTH,
            }
        )
    return {
        "bars": bars,
        "total": sum(counts.values()),
        "peak": peak,
        "width": slots * step - BAR_GAP,
        "height": BAR_HEIGHT,
        "start_x": offset * step,
        # Room for both month labels under the bars; a shorter chart names its last month.
        "label_first": len(months) >= 4,
        "first": months[0],
        "last": months[-1],
    }


def group_consecutive(items, key):
    """[(key, [items])] for runs of items sharing key(item), keeping the given order.

    The lists are already sorted by the query, so this groups in one pass without re-sorting
    (months on a timeline, years in the archive, letters in the company index).
    """
    groups = []
    for item in items:
        k = key(item)
        if not groups or groups[-1][0] != k:
            groups.append((k, []))
        groups[-1][1].append(item)
    return groups


def group_by_month(stories):
    """[(first day of month, [stories])] in the given (newest first) order."""
    return group_consecutive(stories, lambda story: story.event_date.replace(day=1))


def timeline_context(request, stories, *, family=None):
    """Paginated, month-grouped cards for any published Story queryset, plus the chart."""
    stories = stories.order_by("-event_date", "-pk")
    chart = coverage(stories)
    page = paginate_uncounted(request, stories.for_timeline(), PER_PAGE)
    cards = attach_extras(page.object_list, sources=False)
    for story in cards:
        # Every card asks for it: a missing attribute would cost the template engine a dir().
        story.via = label_for(story, family) if family is not None else ""
    return {"page": page, "months": group_by_month(cards), "chart": chart}


def family_stories(family, *, direct=False):
    published = Story.objects.published()
    if direct:
        return published.about(company_ids=[family.company.pk])
    return published.about(company_ids=family.company_ids, platform_ids=family.platform_ids)
