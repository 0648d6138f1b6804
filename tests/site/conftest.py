"""The public site's test newsroom: Alibaba's family tree, ByteDance, PDD, and one published issue
that also holds a draft, an in-review and a scheduled story about Alibaba (which must never show).
"""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone

from digest_site.sitemaps import SITEMAPS
from stories.models import Status
from tests.factories import make_company, make_issue, make_platform, make_story, make_topic

# A word that only the hidden stories contain, in every field a page, feed or snippet could show.
HIDDEN = "Zanzibarleak"


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """The local-memory cache outlives each test's database rollback; start every test empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def newsroom(db):
    alibaba = make_company(
        "Alibaba Group",
        slug="alibaba-group",
        name_zh="阿里巴巴集团",
        aliases=["Alibaba", "BABA", "9988.HK"],
        website="https://www.alibabagroup.com/",
        description="China's largest e-commerce group.",
    )
    taobao_group = make_company("Taobao and Tmall Group", slug="taobao-tmall", parent=alibaba)
    tmall_global = make_company("Tmall Global Ltd", slug="tmall-global", parent=taobao_group)
    taobao = make_platform("Taobao", owner=taobao_group, slug="taobao", kind="ecommerce")
    bytedance = make_company("ByteDance", slug="bytedance", name_zh="字节跳动")
    tiktok = make_platform("TikTok", owner=bytedance, slug="tiktok", aliases=["抖音国际版"])
    pdd = make_company(
        "PDD Holdings", slug="pdd-holdings", name_zh="拼多多", aliases=["PDD", "Pinduoduo"]
    )
    ecommerce = make_topic("E-commerce", slug="e-commerce")
    regulation = make_topic("Regulation", slug="regulation")

    singles = make_story(
        "Alibaba and JD.com post Singles' Day growth",
        slug="singles-day-growth",
        status=Status.PUBLISHED,
        companies=[alibaba],
        topics=[ecommerce],
        summary="Both report growth but withhold the sales tally.",
        body="Gross merchandise value **grew**, Alibaba said.",
        event_date=date(2026, 11, 12),
    )
    eu = make_story(
        "EU investigates TikTok over child protection",
        slug="eu-investigates-tiktok",
        status=Status.PUBLISHED,
        companies=[bytedance],
        platforms=[tiktok],
        topics=[regulation],
        event_date=date(2026, 11, 10),
    )
    assistant = make_story(
        "Taobao adds an AI shopping assistant",
        slug="taobao-ai-assistant",
        status=Status.PUBLISHED,
        platforms=[taobao],
        event_date=date(2026, 11, 8),
    )
    global_story = make_story(
        "Tmall Global opens a European warehouse",
        slug="tmall-global-warehouse",
        status=Status.PUBLISHED,
        companies=[tmall_global],
        event_date=date(2026, 10, 2),
    )
    temu = make_story(
        "Pinduoduo's Temu keeps growing abroad",
        slug="temu-growing",
        status=Status.PUBLISHED,
        companies=[pdd],
        topics=[ecommerce],
        event_date=date(2026, 9, 20),
    )
    hidden = {}
    for status, published_at in (
        (Status.DRAFT, None),
        (Status.IN_REVIEW, None),
        (Status.PUBLISHED, timezone.now() + timedelta(days=2)),
    ):
        label = "scheduled" if status == Status.PUBLISHED else status
        hidden[label] = make_story(
            f"{HIDDEN} {label} Alibaba story",
            slug=f"hidden-{label.replace('_', '-')}",
            status=status,
            published_at=published_at,
            companies=[alibaba],
            platforms=[taobao],
            topics=[ecommerce],
            summary=f"{HIDDEN} summary about Alibaba.",
            body=f"{HIDDEN} body about Alibaba and 阿里巴巴.",
            event_date=date(2026, 11, 11),
        )
    issue = make_issue(
        7,
        title="Singles' Day and the EU",
        status=Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
        stories=[
            singles,
            hidden["draft"],
            eu,
            hidden["in_review"],
            assistant,
            hidden["scheduled"],
            global_story,
        ],
        intro="Hi folks, **welcome** back.",
        wrapup="That's all for *this* week.",
    )
    older = make_issue(
        6,
        title="Temu abroad",
        status=Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=8),
        stories=[temu],
    )
    # A published story waiting in an issue nobody has published yet.
    waiting = make_story(
        "ByteDance tests a shopping tab",
        slug="bytedance-shopping-tab",
        status=Status.PUBLISHED,
        companies=[bytedance],
        event_date=date(2026, 11, 1),
    )
    draft_issue = make_issue(8, title=f"{HIDDEN} next week", stories=[waiting])
    return SimpleNamespace(
        alibaba=alibaba,
        taobao_group=taobao_group,
        tmall_global=tmall_global,
        taobao=taobao,
        bytedance=bytedance,
        tiktok=tiktok,
        pdd=pdd,
        ecommerce=ecommerce,
        regulation=regulation,
        singles=singles,
        eu=eu,
        assistant=assistant,
        global_story=global_story,
        temu=temu,
        waiting=waiting,
        hidden=hidden,
        issue=issue,
        older=older,
        draft_issue=draft_issue,
    )


def public_urls(n):
    """Every public URL of the newsroom a crawler could find."""
    return [
        "/",
        "/issues/",
        f"/issues/{n.issue.number}/",
        f"/issues/{n.older.number}/",
        "/companies/",
        "/companies/alibaba-group/",
        "/companies/alibaba-group/?direct=1",
        "/companies/taobao-tmall/",
        "/companies/bytedance/",
        "/platforms/",
        "/topics/",
        "/platforms/taobao/",
        "/platforms/tiktok/",
        "/topics/e-commerce/",
        "/topics/regulation/",
        *[
            s.get_absolute_url()
            for s in (n.singles, n.eu, n.assistant, n.global_story, n.temu, n.waiting)
        ],
        "/authors/",
        "/authors/staff-writer/",
        "/search/?q=Alibaba",
        "/search/?q=阿里巴巴",
        "/search/?q=Taobao",
        "/search/?q=e-commerce",
        "/feeds/issues/",
        "/feeds/issues/atom/",
        "/feeds/companies/alibaba-group/",
        "/feeds/companies/alibaba-group/atom/",
        "/feeds/topics/e-commerce/",
        "/feeds/topics/e-commerce/atom/",
        "/sitemap.xml",
        *(f"/sitemap-{section}.xml" for section in SITEMAPS),
        "/robots.txt",
    ]
