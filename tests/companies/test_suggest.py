"""The suggestion matcher's rules, one by one, on a small registry built here."""

import pytest
from django.utils import timezone

from companies import suggest as suggest_module
from companies.models import Company, Platform, Topic
from companies.suggest import forget_matcher, get_matcher, suggest
from tests.adminform import change_url, form_data
from tests.factories import make_company, make_platform, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    forget_matcher()
    alibaba = make_company(
        "Alibaba Group",
        slug="alibaba-group",
        name_zh="阿里巴巴集团",
        aliases=["Alibaba", "BABA", "9988.HK", "阿里巴巴"],
    )
    taotian = make_company("Taobao and Tmall Group", slug="taotian", parent=alibaba)
    make_platform("Taobao", slug="taobao", owner=taotian, aliases=["淘宝"])
    jd = make_company(
        "JD.com",
        slug="jd-com",
        name_zh="京东",
        aliases=["JD", "Jingdong", "9618.HK"],
        clue_words=["Richard Liu"],
        false_friends=["京东方"],
    )
    make_platform("JD Mall", slug="jd-mall", owner=jd)
    make_company(
        "Apple",
        slug="apple",
        name_zh="苹果",
        aliases=["Apple Inc.", "AAPL"],
        needs_second_clue=True,
        clue_words=["iPhone", "Apple Watch"],
        false_friends=["apple growers"],
    )
    make_company(
        "Xiaohongshu",
        slug="xiaohongshu",
        name_zh="小红书",
        aliases=["RedNote", "Little Red Book"],
        weak_aliases=["Little Red Book"],
    )
    make_company("Temu Holdings", slug="temu-co")
    meituan = make_company("Meituan", slug="meituan", name_zh="美团")
    make_platform("Wow", slug="meituan-wow", owner=meituan, needs_second_clue=True)
    make_platform("Keeta", slug="keeta", owner=meituan)
    bytedance = make_company("ByteDance", slug="bytedance", name_zh="字节跳动")
    make_platform(
        "Temu", slug="temu", owner=make_company("PDD Holdings", slug="pdd", aliases=["PDD"])
    )
    make_platform("Douyin", slug="douyin", owner=bytedance, aliases=["抖音"])
    make_company("Kuaishou", slug="kuaishou", name_zh="快手", aliases=["Kwai"])
    make_company("Moonshot AI", slug="moonshot-ai", name_zh="月之暗面")
    make_topic("Earnings", slug="earnings", keywords=["net profit", "revenue", "quarter"])
    make_topic("Regulation", slug="regulation", keywords=["regulator", "fined"])
    yield
    forget_matcher()


def found(headline, body=""):
    result = suggest(headline, body)
    return result.companies + result.platforms


@pytest.mark.usefixtures("registry")
class TestNames:
    def test_a_name_with_a_possessive_is_found(self):
        assert found("Alibaba's profit rises")[0] == "alibaba-group"
        assert "alibaba-group" in found("Alibaba’s profit rises")  # a curly apostrophe

    def test_names_match_in_lower_and_upper_case(self):
        assert "alibaba-group" in found("alibaba cuts prices")
        assert "bytedance" in found("BYTEDANCE HITS BACK")

    def test_a_name_inside_a_longer_word_is_not_found(self):
        assert found("Flights from Temuco to Santiago") == []
        assert found("Alibabas and forty thieves") == []

    def test_the_longest_name_wins_where_names_overlap(self):
        assert found("Taobao and Tmall Group reports") == ["taotian", "alibaba-group"]

    def test_chinese_names_are_found_inside_chinese_text(self):
        result = suggest("", "美团旗下外卖平台Keeta已在利雅得上线，阿里巴巴也在当地投资。")
        assert result.companies[:2] == ["meituan", "alibaba-group"]
        assert result.platforms == ["keeta"]

    def test_a_false_friend_hides_the_name_inside_it(self):
        assert found("京东方发布新款屏幕") == []
        assert found("京东发布新款手机") == ["jd-com"]

    def test_web_addresses_are_not_mentions(self):
        body = "See [the filing](https://www.alibabagroup.com/alibaba-results) and www.jd.com/x."
        assert found("Results", body) == []
        assert found("Results", "See [Alibaba's filing](https://example.com/).") == [
            "alibaba-group"
        ]

    def test_tickers_match_only_in_capitals(self):
        assert found("BABA and 9618.HK shares rise") == ["alibaba-group", "jd-com"]
        assert found("baba said no") == []


@pytest.mark.usefixtures("registry")
class TestSecondClue:
    def test_an_ordinary_word_needs_a_second_clue(self):
        assert found("Apple harvest is early this year") == []
        assert found("Apple's new phone", "The iPhone 16 sells well.") == ["apple"]

    def test_a_longer_name_or_ticker_is_a_clue_by_itself(self):
        assert found("Apple Inc. hires") == ["apple"]
        assert found("Alibaba Group's 9988.HK falls") == ["alibaba-group"]

    def test_two_weak_forms_of_one_entity_are_clues_for_each_other(self):
        assert found("AAPL falls") == []
        assert found("Apple (AAPL) falls") == ["apple"]

    def test_names_needing_a_clue_must_match_their_case(self):
        assert found("an apple a day", "The iPhone is old.") == []

    def test_the_owner_is_a_clue_for_its_platform(self):
        assert found("Wow: prices rise") == []
        assert found("Meituan closes Wow") == ["meituan", "meituan-wow"]

    def test_a_false_friend_wins_even_with_a_clue(self):
        assert found("apple growers sell iPhone cases") == []

    def test_two_letter_tickers_need_a_clue(self):
        assert found("A typical JD asks for five years of experience") == []
        assert found("JD hires couriers", "Richard Liu said so.") == ["jd-com"]
        assert found("JD cuts prices on JD Mall")[:2] == ["jd-com", "jd-mall"]

    def test_tickers_of_up_to_four_letters_need_a_clue(self):
        assert found("Game streamer PDD cuts back his live shows") == []
        assert found("PDD sued over Temu's data collection")[:2] == ["pdd", "temu"]

    def test_a_market_word_in_the_same_sentence_is_a_clue_for_a_company(self):
        assert found("Shares of PDD fell 3% in New York") == ["pdd"]
        assert found("Results", "The company (NASDAQ: PDD) reported results.") == ["pdd"]
        assert found("Streamer PDD rests", "PDD is tired. His fans bought shares.") == []

    def test_short_tickers_of_two_companies_are_clues_for_each_other(self):
        assert found("Chinese tech rallies", "BABA rose 3%. PDD gained 5%.") == [
            "alibaba-group",
            "pdd",
        ]
        assert found("Chinese tech rallies", "PDD gained 5%.") == []

    def test_a_weak_name_listed_beside_another_name_has_its_clue(self):
        assert found("Meituan and JD sign a deal") == ["meituan", "jd-com"]
        assert found("JD, Meituan and Alibaba are summoned")[:2] == ["jd-com", "meituan"]
        assert found("Meituan hires a JD expert") == ["meituan"]

    def test_an_alias_needing_a_clue_counts_only_with_one(self):
        assert found("Mao's Little Red Book sells for a record price") == []
        assert found("Little Red Book grows", "RedNote, as it calls itself abroad.") == [
            "xiaohongshu"
        ]
        assert found("RedNote grows") == ["xiaohongshu"]  # the other aliases are as strong

    def test_a_weak_name_followed_by_a_capitalised_word_is_another_name(self):
        assert found("JD Sports shares fall") == []
        assert found("JD Vance talks up American stocks") == []
        assert found("Apple Daily closes", "Its reporters used iPhones.") == []
        assert found("JD shares fall") == ["jd-com"]

    def test_a_registry_name_or_clue_word_after_a_weak_name_keeps_it(self):
        assert found("Apple Watch sales rise") == ["apple"]
        assert found("The JD Meituan delivery war", "Richard Liu spoke.") == ["jd-com", "meituan"]

    def test_acronyms_suffixes_and_titles_after_a_weak_name_keep_it(self):
        assert found("Apple CEO visits a factory", "The iPhone is made there.") == ["apple"]
        assert found("Apple Chief Executive visits", "The iPhone is made there.") == ["apple"]
        assert found("Apple Inc said so", "The iPhone is made there.") == ["apple"]

    def test_capitals_in_a_title_case_headline_say_nothing(self):
        assert found("Apple Unveils New Watch Bands", "The iPhone maker said so.") == ["apple"]
        assert found("Apple Unveils new watch bands", "The iPhone maker said so.") == []

    def test_a_short_name_followed_by_a_capitalised_word_is_another_name(self):
        # Kwai needs no clue, but a four-letter word easily starts a place's or person's name.
        assert found("Kwai Chung port volumes fall", "The Kwai Tsing terminals are quiet.") == []
        assert found("Kwai grows in Brazil") == ["kuaishou"]
        assert found("Kwai CEO speaks") == ["kuaishou"]

    def test_a_pair_the_body_shows_as_another_name_is_one_in_a_title_case_headline(self):
        body = "Throughput at the terminals in Kwai Chung fell."
        assert found("Kwai Chung Port Volumes Fall", body) == []
        assert found("Kwai Chung Port Volumes Fall", "Throughput fell.") == ["kuaishou"]


@pytest.mark.usefixtures("registry")
class TestPlacesAndTitles:
    def test_a_name_before_a_lower_case_place_noun_is_a_place(self):
        assert found("Tea growers in Jingdong county sell online") == []
        assert found("", "Farmers of Jingdong district, Yunnan.") == []
        assert found("Jingdong cuts prices") == ["jd-com"]
        assert found("Jingdong roadshow starts") == ["jd-com"]  # a whole word only
        assert found("Jingdong city managers meet") == ["jd-com"]  # "city" is not in the list

    def test_a_village_selling_on_taobao_is_about_taobao(self):
        assert "taobao" in found("A Taobao village doubles its sales")

    def test_a_name_inside_title_brackets_needs_a_second_clue(self):
        assert found("", "Pink Floyd的专辑《月之暗面》再版。") == []
        assert found("", "The album, known in China as 《月之暗面》, is reissued.") == []
        assert found("", "月之暗面发布新模型。") == ["moonshot-ai"]
        assert found("Moonshot AI backs a film", "The film 《月之暗面》 opens.") == ["moonshot-ai"]


@pytest.mark.usefixtures("registry")
class TestChinesePlaces:
    def test_a_chinese_name_is_not_read_across_a_place_names_edge(self):
        assert found("", "南京东路的新店排队两个小时。") == []  # Nanjing East Road
        assert found("", "北京东城区的一家书店") == []

    def test_a_chinese_name_after_a_whole_place_name_is_found(self):
        assert found("", "湖南京东仓库开业") == ["jd-com"]  # Hunan + JD
        assert found("", "北京京东总部") == ["jd-com"]


@pytest.mark.usefixtures("registry")
class TestOwnersOrderAndTopics:
    def test_a_platform_brings_its_owner_and_parents_after_the_names(self):
        result = suggest("Taobao adds a button", "ByteDance said nothing.")
        assert result.platforms == ["taobao"]
        assert result.companies == ["bytedance", "taotian", "alibaba-group"]
        assert [e.where for e in result.evidence[-2:]] == ["implied", "implied"]

    def test_only_a_prominent_platform_brings_its_owner(self):
        once = suggest("ByteDance's new app", "Apps rebuilt for it include Taobao.")
        assert (once.companies, once.platforms) == (["bytedance"], ["taobao"])
        twice = suggest("ByteDance's new app", "It links to Taobao. Taobao agreed.")
        assert twice.companies == ["bytedance", "taotian", "alibaba-group"]

    def test_headline_mentions_come_first(self):
        result = suggest("Meituan's profit", "ByteDance ByteDance. Meituan again.")
        assert result.companies == ["meituan", "bytedance"]

    def test_a_topic_needs_a_headline_word_or_two_in_the_text(self):
        assert suggest("Meituan's net profit doubles", "").topics == ["earnings"]
        assert suggest("Meituan", "Its revenue grew.").topics == []
        assert suggest("Meituan", "Its revenue grew, and so did revenues abroad.").topics == [
            "earnings"
        ]

    def test_evidence_says_what_matched_where(self):
        result = suggest("Alibaba's fine", "The regulator fined alibaba.")
        company = result.evidence[0]
        assert (company.slug, company.matched, company.where) == (
            "alibaba-group",
            "Alibaba",
            "headline",
        )
        topic = next(e for e in result.evidence if e.kind == "topic")
        assert topic.matched == "regulator, fined"


@pytest.mark.usefixtures("registry")
class TestRebuilding:
    def test_a_new_alias_is_used_at_once(self):
        assert found("Zijie Tiaodong grows") == []
        company = Company.objects.get(slug="bytedance")
        company.aliases = ["Zijie Tiaodong"]
        company.save()
        assert found("Zijie Tiaodong grows") == ["bytedance"]

    def test_a_deleted_platform_is_no_longer_suggested(self):
        assert "keeta" in found("Keeta expands")
        Platform.objects.filter(slug="keeta").delete()
        assert "keeta" not in found("Keeta expands")

    def test_new_topic_keywords_are_used_at_once(self):
        assert suggest("Layoffs at Meituan", "").topics == []
        Topic.objects.create(name="Jobs", slug="jobs", keywords=["layoffs"])
        assert suggest("Layoffs at Meituan", "").topics == ["jobs"]

    def test_the_matcher_is_kept_while_the_registry_is_unchanged(self, monkeypatch):
        monkeypatch.setattr(suggest_module, "STAMP_CHECK_SECONDS", 0)
        assert get_matcher() is get_matcher()

    def test_a_change_from_another_process_is_seen_by_its_stamp(self, monkeypatch):
        # QuerySet.update() sends no signal, like a save made by another process.
        assert found("Zijie Tiaodong grows") == []
        Company.objects.filter(slug="bytedance").update(
            aliases=["Zijie Tiaodong"], updated_at=timezone.now()
        )
        assert found("Zijie Tiaodong grows") == []  # checked less than a second ago
        monkeypatch.setattr(suggest_module, "STAMP_CHECK_SECONDS", 0)
        assert found("Zijie Tiaodong grows") == ["bytedance"]

    def test_between_checks_suggesting_runs_no_query(self, django_assert_num_queries):
        get_matcher()
        with django_assert_num_queries(0):
            suggest("Alibaba", "BABA")


def test_an_empty_registry_suggests_nothing(db):
    forget_matcher()
    assert suggest("Alibaba", "").as_dict() == {"companies": [], "platforms": [], "topics": []}


def test_an_admin_sets_a_second_clue_and_suggestions_follow(client, admin_user):
    forget_matcher()
    apple = make_company("Apple", slug="apple", aliases=["AAPL"])
    assert found("Apple harvest starts") == ["apple"]
    client.force_login(admin_user)
    data = form_data(
        client.get(change_url(apple)),
        needs_second_clue="on",
        clue_words="iPhone, Tim Cook",
        false_friends="apple growers",
    )
    assert client.post(change_url(apple), data).status_code == 302
    apple.refresh_from_db()
    assert apple.clue_words == ["iPhone", "Tim Cook"]
    assert found("Apple harvest starts") == []
    assert found("Apple harvest starts", "Tim Cook was not there.") == ["apple"]


def test_an_admin_marks_an_alias_as_needing_a_clue(client, admin_user):
    forget_matcher()
    company = make_company("Xiaohongshu", slug="xhs", aliases=["RedNote", "Little Red Book"])
    assert found("The original Little Red Book sells") == ["xhs"]
    client.force_login(admin_user)
    data = form_data(client.get(change_url(company)), weak_aliases="Little Red Book")
    assert client.post(change_url(company), data).status_code == 302
    assert found("The original Little Red Book sells") == []
    assert found("The original Little Red Book sells", "RedNote's shop") == ["xhs"]


def test_an_admin_edits_a_topics_keywords(client, admin_user):
    forget_matcher()
    topic = make_topic("Jobs", slug="jobs")
    client.force_login(admin_user)
    data = form_data(client.get(change_url(topic)), keywords="layoffs, hiring")
    assert client.post(change_url(topic), data).status_code == 302
    assert suggest("Layoffs at a shop", "").topics == ["jobs"]
