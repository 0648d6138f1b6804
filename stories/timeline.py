"""The timeline component shared by company, platform and topic pages (and their feeds).

A company's coverage rolls up: stories about the company itself, about its platforms, and about
its subsidiaries (at any depth) and their platforms. Each rolled-up story says why it is there.
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, DateField, Func, Subquery, Value
from django.db.models.functions import Least, TruncMonth
from django.http import Http404
from django.utils import timezone

from companies.links import public_path

from .extras import attach_extras
from .models import Company, Platform, Story

PER_PAGE = 30
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


def _months_ending(day):
    """The first days of the CHART_MONTHS months up to and including day's month, oldest first."""
    months = []
    year, month = day.year, day.month
    for _ in range(CHART_MONTHS):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


class _MonthsBefore(Func):
    """The first day of the month `months` months before the month of a date."""

    output_field = DateField()
    template = "(date_trunc('month', %(expressions)s) - make_interval(months => %(months)d))::date"


def _month_after(day):
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def coverage(stories, today=None):
    """Published stories per month over 24 months, oldest first, with chart geometry (one query).

    The window ends this month, or at the newest covered month when the coverage stopped
    earlier: a company last in the news years ago still gets a chart worth reading.

    The query counts only the months that can be in the window, whatever the archive's size:
    from 23 months before this month, or before the newest story's month if that is earlier
    (found through the index of published stories by event date), to the end of this month.
    """
    today = today or timezone.localdate()
    months = _months_ending(today)
    newest = stories.order_by("-event_date").values("event_date")[:1]
    # LEAST ignores a NULL: with no story at all the window is simply the last 24 months.
    since = Least(Value(months[0]), _MonthsBefore(Subquery(newest), months=CHART_MONTHS - 1))
    all_counts = dict(
        stories.filter(event_date__gte=since, event_date__lt=_month_after(months[-1]))
        .annotate(month=TruncMonth("event_date"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    newest = max(all_counts, default=today)
    if newest < months[0]:
        months = _months_ending(newest)
    counts = {m: n for m, n in all_counts.items() if months[0] <= m <= months[-1]}
    peak = max(counts.values(), default=0)
    bar_width, gap, height = 12, 4, 80
    bars = []
    for i, first in enumerate(months):
        n = counts.get(first, 0)
        bar_height = round(height * n / peak) if peak else 0
        bars.append(
            {
                "month": first,
                "count": n,
                "x": i * (bar_width + gap),
                "y": height - bar_height,
                "height": bar_height,
                "width": bar_width,
            }
        )
    return {
        "bars": bars,
        "total": sum(counts.values()),
        "peak": peak,
        "width": CHART_MONTHS * (bar_width + gap) - gap,
        "height": height,
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
