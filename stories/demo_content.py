"""The demo issue as plain data, loaded by `manage.py load_demo`.

Issue #47 follows the eight stories of the model publication (shared/seed/sample-weekly-digest.txt)
in the same order, with the facts carried over and every sentence written afresh. Sources point at
the outlets' real section pages rather than at invented article addresses.

Companies are listed parents first, so each parent exists before its subsidiaries.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# Issue #47 and its stories went public together on the Friday after the week's events.
PUBLISHED_AT = datetime(2023, 11, 17, 9, 0, tzinfo=LONDON)
# When the story now waiting in review was submitted.
REVIEW_SUBMITTED_AT = datetime(2023, 11, 21, 10, 15, tzinfo=LONDON)

# Demo logins. Passwords are set only when the account is first created.
USERS = [
    {
        "username": "editor",
        "password": "editor-demo-pass",
        "group": "Editors",
        "is_staff": True,
        "is_superuser": False,
    },
    {
        "username": "reviewer",
        "password": "reviewer-demo-pass",
        "group": "Reviewers",
        "is_staff": True,
        "is_superuser": False,
    },
    {
        "username": "admin",
        "password": "admin-demo-pass",
        "group": None,
        "is_staff": True,
        "is_superuser": True,
    },
]

COMPANIES = [
    {
        "slug": "bytedance",
        "name": "ByteDance",
        "name_zh": "字节跳动",
        "aliases": ["Bytedance Ltd", "Zijie Tiaodong"],
        "website": "https://www.bytedance.com/",
        "headquarters": "Beijing, China",
        "description": "Private technology group behind TikTok and its Chinese sister app Douyin.",
    },
    {
        "slug": "alibaba-group",
        "name": "Alibaba Group",
        "name_zh": "阿里巴巴集团",
        "aliases": ["Alibaba", "Alibaba Group Holding", "BABA", "9988.HK", "阿里巴巴"],
        "website": "https://www.alibabagroup.com/",
        "headquarters": "Hangzhou, China",
        "description": "E-commerce, cloud and media group founded by Jack Ma in 1999; listed in "
        "New York and Hong Kong.",
    },
    {
        "slug": "taobao-and-tmall-group",
        "name": "Taobao and Tmall Group",
        "name_zh": "淘天集团",
        "aliases": ["Taotian", "Taotian Group"],
        "parent": "alibaba-group",
        "website": "https://www.taobao.com/",
        "headquarters": "Hangzhou, China",
        "description": "Alibaba's domestic online retail business, running the Taobao and Tmall "
        "marketplaces.",
    },
    {
        "slug": "jd-com",
        "name": "JD.com",
        "name_zh": "京东",
        "aliases": ["JD", "Jingdong", "9618.HK"],
        "false_friends": ["京东方"],  # BOE Technology, the screen maker
        # "JD" alone is weak (JD Sports, JD Vance, a job description, initials): it needs one of
        # these nearby. A clue word must be something those other meanings do not come with:
        # JD's own people and things, not its trade (JD Sports is a retailer too, and job ads
        # are written for couriers). Its own "JD ..." names are here too: "JD" followed by a
        # capitalised word counts only then (companies.suggest).
        "clue_words": [
            "Richard Liu",
            "Liu Qiangdong",
            "Sandy Xu",
            "Joybuy",
            "618",
            "JD Logistics",
            "JD Health",
        ],
        "website": "https://corporate.jd.com/",
        "headquarters": "Beijing, China",
        "description": "Online retailer with its own warehouses and delivery network.",
    },
    {
        "slug": "pdd-holdings",
        "name": "PDD Holdings",
        "name_zh": "拼多多控股",
        "aliases": ["PDD", "Pinduoduo Inc."],
        "website": "https://www.pddholdings.com/",
        "headquarters": "Dublin, Ireland",
        "description": "Parent of the Pinduoduo shopping app in China and of Temu abroad.",
    },
    {
        "slug": "pinduoduo",
        "name": "Pinduoduo",
        "name_zh": "拼多多",
        "aliases": ["Pin Duo Duo"],
        "parent": "pdd-holdings",
        "website": "https://www.pinduoduo.com/",
        "headquarters": "Shanghai, China",
        "description": "Group-buying marketplace, China's second-largest e-commerce platform.",
    },
    {
        "slug": "baidu",
        "name": "Baidu",
        "name_zh": "百度",
        "aliases": ["Baidu Inc.", "BIDU", "9888.HK"],
        "website": "https://ir.baidu.com/",
        "headquarters": "Beijing, China",
        "description": "China's leading search engine, and the maker of the Ernie AI models.",
    },
    {
        "slug": "meituan",
        "name": "Meituan",
        "name_zh": "美团",
        "aliases": ["Meituan Dianping", "3690.HK"],
        "website": "https://www.meituan.com/",
        "headquarters": "Beijing, China",
        "description": "Food delivery and local services platform.",
    },
    {
        "slug": "kuaishou",
        "name": "Kuaishou",
        "name_zh": "快手",
        "aliases": ["Kuaishou Technology", "Kwai", "1024.HK"],
        "website": "https://ir.kuaishou.com/",
        "headquarters": "Beijing, China",
        "description": "Short-video and live-streaming app, Douyin's main rival, with a growing "
        "shopping business.",
    },
    {
        "slug": "vipshop",
        "name": "Vipshop",
        "name_zh": "唯品会",
        "aliases": ["Vipshop Holdings", "Weipinhui", "VIPS"],
        "website": "https://ir.vip.com/",
        "headquarters": "Guangzhou, China",
        "description": "Online discount retailer specialising in brand flash sales.",
    },
    {
        "slug": "alphabet",
        "name": "Alphabet",
        "aliases": ["Alphabet Inc.", "GOOGL", "GOOG"],
        # "alphabet soup": the name counts with Google, a ticker or "Alphabet Inc." nearby.
        "needs_second_clue": True,
        "website": "https://abc.xyz/",
        "headquarters": "Mountain View, California, United States",
        "description": "Holding company of Google.",
    },
    {
        "slug": "google",
        "name": "Google",
        "name_zh": "谷歌",
        "aliases": ["Google LLC"],
        "parent": "alphabet",
        "website": "https://about.google/",
        "headquarters": "Mountain View, California, United States",
        "description": "Search, advertising and video company; runs YouTube.",
    },
    {
        "slug": "apple",
        "name": "Apple",
        "name_zh": "苹果",
        "aliases": ["Apple Inc.", "AAPL", "苹果公司"],
        "needs_second_clue": True,
        "clue_words": [
            "iPhone",
            "iPad",
            "Mac",
            "MacBook",
            "iOS",
            "App Store",
            "Tim Cook",
            "Cupertino",
            "Foxconn",
            "AirPods",
            "Apple Watch",
            "Apple Pay",
            # Trade words are fine here: the fruit, the Big Apple and Apple Daily come with
            # none of them.
            "supplier",
            "smartphone",
        ],
        "false_friends": ["apple growers", "apple farmers", "apple orchards", "Big Apple"],
        "website": "https://www.apple.com/",
        "headquarters": "Cupertino, California, United States",
    },
    {
        "slug": "amazon",
        "name": "Amazon",
        "name_zh": "亚马逊",
        "aliases": ["Amazon.com", "AMZN"],
        "needs_second_clue": True,
        "clue_words": [
            "AWS",
            "Prime",
            "Prime Day",
            "Amazon Web Services",
            "Jeff Bezos",
            "Andy Jassy",
            "Kindle",
            "Alexa",
            # Trade words are fine here: the river and the rainforest come with none of them.
            "seller",
            "marketplace",
            "e-commerce",
            "online retailer",
            "warehouse",
        ],
        "false_friends": [
            "Amazon river",
            "Amazon rainforest",
            "Amazon basin",
            "Amazon jungle",
            "亚马逊河",
            "亚马逊雨林",
        ],
        "website": "https://www.aboutamazon.com/",
        "headquarters": "Seattle, Washington, United States",
    },
    {
        "slug": "spotify",
        "name": "Spotify",
        "aliases": ["Spotify Technology", "SPOT"],
        "website": "https://www.spotify.com/",
        "headquarters": "Stockholm, Sweden",
    },
    # Registry entries beyond issue #47, so that the suggestion matcher's labelled set
    # (tests/data/suggest_labelled.jsonl) can name the companies a week's news usually does.
    {
        "slug": "tencent",
        "name": "Tencent",
        "name_zh": "腾讯",
        "aliases": ["Tencent Holdings", "0700.HK", "TCEHY"],
        "website": "https://www.tencent.com/",
        "headquarters": "Shenzhen, China",
        "description": "Games, social networks and payments; runs WeChat.",
    },
    {
        "slug": "huawei",
        "name": "Huawei",
        "name_zh": "华为",
        "aliases": ["Huawei Technologies"],
        "website": "https://www.huawei.com/",
        "headquarters": "Shenzhen, China",
        "description": "Telecoms equipment and phone maker, privately held.",
    },
    {
        "slug": "didi",
        "name": "Didi",
        "name_zh": "滴滴",
        "aliases": ["DiDi", "Didi Chuxing", "Didi Global", "DIDIY"],
        # Didi is also a nickname and a sound (滴滴): it needs a clue that rides are meant.
        "needs_second_clue": True,
        "clue_words": [
            "ride-hailing",
            "ride hailing",
            "driver",
            "robotaxi",
            "Cheng Wei",
            "taxi",
            "打车",
            "网约车",
        ],
        "website": "https://www.didiglobal.com/",
        "headquarters": "Beijing, China",
        "description": "China's largest ride-hailing service.",
    },
    {
        "slug": "trip-com",
        "name": "Trip.com Group",
        "name_zh": "携程",
        "aliases": ["Trip.com", "Ctrip", "TCOM", "9961.HK"],
        "website": "https://group.trip.com/",
        "headquarters": "Shanghai, China",
        "description": "Online travel agency, known at home as Ctrip.",
    },
    {
        "slug": "meta",
        "name": "Meta Platforms",
        "aliases": ["Meta", "META"],
        "website": "https://about.meta.com/",
        "headquarters": "Menlo Park, California, United States",
        "description": "Owner of Facebook, Instagram and WhatsApp.",
    },
    {
        "slug": "ant-group",
        "name": "Ant Group",
        "name_zh": "蚂蚁集团",
        "aliases": ["Ant Financial"],
        "website": "https://www.antgroup.com/",
        "headquarters": "Hangzhou, China",
        "description": "Payments and finance affiliate of Alibaba; runs Alipay.",
    },
    {
        "slug": "moonshot-ai",
        "name": "Moonshot AI",
        "name_zh": "月之暗面",
        "website": "https://www.moonshot.cn/",
        "headquarters": "Beijing, China",
        "description": "AI start-up behind the Kimi chatbot.",
    },
    {
        "slug": "deepseek",
        "name": "DeepSeek",
        "name_zh": "深度求索",
        "website": "https://www.deepseek.com/",
        "headquarters": "Hangzhou, China",
        "description": "AI lab funded by the hedge fund High-Flyer, known for cheap open models.",
    },
    {
        "slug": "xiaohongshu",
        "name": "Xiaohongshu",
        "name_zh": "小红书",
        "aliases": ["RedNote", "Little Red Book"],
        # Also Mao's book of quotations: counts with Xiaohongshu, 小红书 or RedNote nearby.
        "weak_aliases": ["Little Red Book"],
        "website": "https://www.xiaohongshu.com/",
        "headquarters": "Shanghai, China",
        "description": "Lifestyle social network and shopping app.",
    },
]

SOCIAL_VIDEO = "social_video"
ECOMMERCE = "ecommerce"
CHATBOT = "chatbot"
MUSIC = "music"

PLATFORMS = [
    {
        "slug": "tiktok",
        "name": "TikTok",
        "owner": "bytedance",
        "kind": SOCIAL_VIDEO,
        "aliases": ["TikTok LIVE", "TikTok Shop"],
        "website": "https://www.tiktok.com/",
    },
    {
        "slug": "douyin",
        "name": "Douyin",
        "owner": "bytedance",
        "kind": SOCIAL_VIDEO,
        "aliases": ["抖音"],
        "website": "https://www.douyin.com/",
    },
    {
        "slug": "youtube",
        "name": "YouTube",
        "owner": "google",
        "kind": "video_streaming",
        "aliases": ["YouTube Shorts"],
        "website": "https://www.youtube.com/",
    },
    {
        "slug": "taobao",
        "name": "Taobao",
        "owner": "taobao-and-tmall-group",
        "kind": ECOMMERCE,
        "aliases": ["淘宝"],
        "website": "https://www.taobao.com/",
    },
    {
        "slug": "tmall",
        "name": "Tmall",
        "owner": "taobao-and-tmall-group",
        "kind": ECOMMERCE,
        "aliases": ["天猫"],
        "website": "https://www.tmall.com/",
    },
    {
        "slug": "alibaba-cloud",
        "name": "Alibaba Cloud",
        "owner": "alibaba-group",
        "kind": "cloud",
        "aliases": ["Aliyun", "阿里云"],
        "website": "https://www.alibabacloud.com/",
    },
    {
        "slug": "jd-com-marketplace",
        "name": "JD.com marketplace",
        "owner": "jd-com",
        "kind": ECOMMERCE,
        "aliases": ["京东商城", "JD Mall"],
        "website": "https://www.jd.com/",
    },
    {
        "slug": "pinduoduo-app",
        "name": "Pinduoduo app",
        "owner": "pinduoduo",
        "kind": ECOMMERCE,
        "aliases": ["拼多多"],
        "website": "https://www.pinduoduo.com/",
    },
    {
        "slug": "temu",
        "name": "Temu",
        "owner": "pdd-holdings",
        "kind": ECOMMERCE,
        "website": "https://www.temu.com/",
    },
    {
        "slug": "ernie-bot",
        "name": "Ernie Bot",
        "owner": "baidu",
        "kind": CHATBOT,
        "aliases": ["文心一言", "Wenxin Yiyan", "ERNIE"],
        "website": "https://yiyan.baidu.com/",
    },
    {
        "slug": "meituan-wow",
        "name": "Wow",
        "owner": "meituan",
        "kind": CHATBOT,
        "aliases": ["Meituan Wow"],
        "needs_second_clue": True,
    },
    {
        "slug": "spotify",
        "name": "Spotify",
        "owner": "spotify",
        "kind": MUSIC,
        "website": "https://open.spotify.com/",
    },
    {
        "slug": "apple-music",
        "name": "Apple Music",
        "owner": "apple",
        "kind": MUSIC,
        "website": "https://music.apple.com/",
    },
    {
        "slug": "amazon-music",
        "name": "Amazon Music",
        "owner": "amazon",
        "kind": MUSIC,
        "website": "https://music.amazon.com/",
    },
    {
        "slug": "wechat",
        "name": "WeChat",
        "owner": "tencent",
        "kind": "messaging",
        "aliases": ["Weixin", "微信"],
        "website": "https://www.wechat.com/",
    },
    {
        "slug": "alipay",
        "name": "Alipay",
        "owner": "ant-group",
        "kind": "payments",
        "aliases": ["支付宝"],
        "website": "https://global.alipay.com/",
    },
    {
        "slug": "kimi",
        "name": "Kimi",
        "owner": "moonshot-ai",
        "kind": CHATBOT,
        "aliases": ["Kimi Chat", "Kimi chatbot"],
        # Kimi is also a first name (Kimi Räikkönen).
        "needs_second_clue": True,
        "clue_words": ["chatbot", "AI assistant", "large language model"],
        "website": "https://kimi.moonshot.cn/",
    },
    {
        "slug": "keeta",
        "name": "Keeta",
        "owner": "meituan",
        "kind": "delivery",
        "website": "https://www.keeta-global.com/",
    },
    {
        "slug": "harmonyos",
        "name": "HarmonyOS",
        "owner": "huawei",
        "kind": "other",
        "aliases": ["鸿蒙", "Harmony OS"],
    },
    {
        "slug": "facebook",
        "name": "Facebook",
        "owner": "meta",
        "kind": "social_network",
        "website": "https://www.facebook.com/",
    },
    {
        "slug": "instagram",
        "name": "Instagram",
        "owner": "meta",
        "kind": "social_network",
        "website": "https://www.instagram.com/",
    },
]

TOPICS = [
    {"slug": "regulation", "name": "Regulation", "description": "Laws, bans and regulators."},
    {"slug": "child-safety", "name": "Child safety", "description": "Protecting minors online."},
    {
        "slug": "e-commerce",
        "name": "E-commerce",
        "description": "Online shopping and its platforms.",
    },
    {"slug": "singles-day", "name": "Singles' Day", "description": "The 11.11 shopping festival."},
    {"slug": "generative-ai", "name": "Generative AI", "description": "Chatbots and AI models."},
    {"slug": "climate", "name": "Climate", "description": "Emissions, climate plans, disclosure."},
    {"slug": "leadership", "name": "Leadership and strategy", "description": "Who runs what."},
    {"slug": "live-streaming", "name": "Live streaming", "description": "Streamers and creators."},
    {"slug": "music", "name": "Music", "description": "Songs, labels and streaming services."},
    {"slug": "earnings", "name": "Earnings", "description": "Quarterly results and forecasts."},
]

# Words that show a story is about a topic (Topic.keywords): suggestions offer the topic when the
# headline has one or the text has two or more.
TOPIC_KEYWORDS = {
    slug: [word.strip() for word in words.split(",")]
    for slug, words in {
        "regulation": "regulator, regulatory, regulation, fined, fines, ban, banned, antitrust, "
        "lawsuit, sued, court, law, legislation, lawmakers, Digital Services Act, "
        "Cyberspace Administration, market regulator, investigation, probe, penalty, rules, "
        "ministry, illegal, proceedings, European Commission, 监管, 罚款",
        "child-safety": "children, child, minors, under 18, teenager, screen time, youth mode, "
        "parents, 未成年人",
        "e-commerce": "e-commerce, online shopping, shopper, online retailer, marketplace, seller, "
        "merchant, GMV, gross merchandise value, shopping festival, shopping, retail, Taobao, "
        "Tmall, TikTok Shop, 电商, 网购, 淘宝, 天猫, 商品, 下单, 零售",
        "singles-day": "Singles' Day, Singles Day, Double 11, Double Eleven, 11.11, 双十一, 双11",
        "generative-ai": "generative AI, AI, artificial intelligence, chatbot, large language model, "
        "language model, AI model, ChatGPT, Ernie Bot, Doubao, Qwen, DeepSeek, 大模型, "
        "人工智能",
        "climate": "climate, carbon, emissions, carbon neutrality, renewable, net zero, greenhouse, "
        "sustainability, wind power, solar power, coal, environmental, deforestation, drought",
        "leadership": "chief executive, CEO, chairman, chairwoman, appointed, appoints, steps down, "
        "step down, resigns, successor, reshuffle, co-founder, president",
        "live-streaming": "live stream, live-stream, live streaming, live-streaming, livestream, "
        "live-streamer, live streamer, streamer, 直播, 带货",
        "music": "music, song, artist, record label, playlist, lyrics, concert, singer, 音乐",
        "earnings": "earnings, quarterly results, net profit, net income, revenue, profit, "
        "quarterly, guidance, analysts' forecasts, forecasts, 营收, 净利润, 财报",
    }.items()
}

REUTERS_TECH = ("Reuters", "https://www.reuters.com/technology/")
SCMP_TECH = ("South China Morning Post", "https://www.scmp.com/tech")
SMT = ("Social Media Today", "https://www.socialmediatoday.com/")
TIKTOK_NEWSROOM = ("TikTok Newsroom", "https://newsroom.tiktok.com/")

# The eight stories of issue #47, in print order.
PUBLISHED_STORIES = [
    {
        "slug": "eu-investigates-tiktok-youtube-child-protection",
        "headline": "EU presses TikTok and YouTube on how they protect children and consumers",
        "summary": "The European Commission has sent TikTok and YouTube formal requests for "
        "information under the Digital Services Act, asking what the two video platforms do "
        "to shield minors from risks to their mental and physical health.",
        "body": (
            "Brussels wants detailed answers from ByteDance's TikTok and Google's YouTube. The "
            "requests are the first formal step available to the Commission under the "
            "[Digital Services Act](https://digital-strategy.ec.europa.eu/en/policies/"
            "digital-services-act-package), the EU's new rulebook for large online platforms.\n\n"
            "The questions centre on **children**: how the apps assess and reduce risks to young "
            "users' wellbeing, and how they meet their consumer-protection duties. The platforms "
            "have deadlines to reply, after which the Commission can decide whether to open "
            "formal proceedings.\n\n"
            "A request for information is not a finding of wrongdoing, but it is how every DSA "
            "case begins."
        ),
        "event_date": date(2023, 11, 9),
        "companies": ["bytedance", "google", "alphabet"],
        "platforms": ["tiktok", "youtube"],
        "topics": ["regulation", "child-safety"],
        "sources": [
            ("European Commission", "https://ec.europa.eu/commission/presscorner/home/en"),
            REUTERS_TECH,
        ],
    },
    {
        "slug": "nepal-bans-tiktok-social-harmony",
        "headline": "Nepal bans TikTok, saying it harms “social harmony”",
        "summary": "Nepal's cabinet has ordered TikTok blocked with immediate effect, arguing "
        "that the app disturbs social harmony, and wants every social platform to register, "
        "open a local office and pay tax in the country.",
        "body": (
            "The decision followed a cabinet meeting and was announced by Foreign Minister "
            "Narayan Prakash Saud, who said the block would apply *at once*. The government gave "
            "no detail on what prompted it, nor on whether TikTok had turned down earlier "
            "requests from the authorities.\n\n"
            "The ban comes with a wider demand on the industry: social media companies are "
            "expected to register in Nepal, set up a liaison office there, pay taxes and follow "
            "Nepali law, so that they can be held to account."
        ),
        "event_date": date(2023, 11, 13),
        "companies": ["bytedance"],
        "platforms": ["tiktok"],
        "topics": ["regulation"],
        "sources": [
            ("Reuters", "https://www.reuters.com/world/asia-pacific/"),
            ("The Kathmandu Post", "https://kathmandupost.com/"),
        ],
    },
    {
        "slug": "alibaba-jd-singles-day-growth-no-sales-total",
        "headline": "Alibaba and JD.com report Singles' Day growth but keep the totals to "
        "themselves",
        "summary": "Both e-commerce groups say this year's Double 11 festival grew on last "
        "year's, yet for the second year running neither published a sales figure, as China's "
        "consumer recovery stutters and a price war squeezes margins.",
        "body": (
            "Alibaba says gross merchandise value, the number of orders and the number of "
            "merchants taking part all rose year on year. Its campaign opened with presales on "
            "24 October and closed on 11 November.\n\n"
            "JD.com, which started a day earlier on 23 October, describes the festival as "
            "*record-breaking*, with transaction volume, orders and user engagement at all-time "
            "highs. It, too, gave no numbers.\n\n"
            "Until 2021 the headline totals were the festival's main news. Two quiet years in a "
            "row suggest they are not coming back while spending stays weak."
        ),
        "event_date": date(2023, 11, 12),
        "companies": ["alibaba-group", "taobao-and-tmall-group", "jd-com"],
        "platforms": ["taobao", "tmall", "jd-com-marketplace"],
        "topics": ["e-commerce", "singles-day"],
        "sources": [SCMP_TECH, REUTERS_TECH],
        "image": {
            "drawing": "rising_bars_withheld",
            "alt": "An abstract bar chart: bars rise from left to right, and the last two are "
            "drawn as empty red outlines.",
            "caption": "Growth, but no totals: the festival's last two years left blank.",
            "credit": "Illustration: Digest",
        },
    },
    {
        "slug": "china-tech-firms-consumer-generative-ai",
        "headline": "China's tech giants take generative AI to consumers",
        "summary": "With ChatGPT and Bard unavailable in China, local platforms are turning "
        "chatbots into products people pay for or chat with: a Baidu-powered shopping assistant "
        "on Taobao and Meituan's new Wow chatbot are early examples.",
        "body": (
            "In the middle of the Singles' Day rush, a Taobao shop started selling something "
            "unusual: **Duxiaoxiao**, a virtual assistant that runs on Baidu's "
            "[Ernie Bot](https://yiyan.baidu.com/) and adapts to each shopper's tastes. Only days "
            "old, the shop had passed 20,000 followers and more than 600 sales, its Taobao "
            "records show.\n\n"
            "Meituan, better known for delivering dinners, has launched **Wow**, a chatbot it "
            "presents as a circle of AI friends for young people, answering their questions in a "
            "personal voice.\n\n"
            "Both are bets that Chinese consumers will spend time, and eventually money, on "
            "home-grown AI while the best-known Western services stay out of reach."
        ),
        "event_date": date(2023, 11, 10),
        "companies": ["baidu", "meituan", "alibaba-group", "taobao-and-tmall-group"],
        "platforms": ["ernie-bot", "meituan-wow", "taobao"],
        "topics": ["generative-ai", "e-commerce"],
        "sources": [SCMP_TECH],
    },
    {
        "slug": "greenpeace-ranks-pinduoduo-last-on-climate",
        "headline": "Greenpeace ranks Pinduoduo last among Chinese e-commerce platforms on climate",
        "summary": "Greenpeace's annual review of six Chinese online retailers puts Pinduoduo at "
        "the bottom again, for thin strategies and disclosure on climate, biodiversity and "
        "waste, while Alibaba tops the table for a second year.",
        "body": (
            "The environmental group scored each platform on its climate commitments, what it "
            "has actually achieved, what it discloses and how it is audited, plus how it handles "
            "threats to biodiversity and the problems of waste and hazardous chemicals. "
            "The final order:\n\n"
            "1. Alibaba Group\n"
            "2. Vipshop\n"
            "3. JD.com\n"
            "4. ByteDance\n"
            "5. Kuaishou\n"
            "6. Pinduoduo\n\n"
            "Pinduoduo, number two among China's online marketplaces, also came last in the "
            "previous edition. The full ranking is on "
            "[Greenpeace East Asia](https://www.greenpeace.org/eastasia/)."
        ),
        "event_date": date(2023, 11, 9),
        "companies": [
            "pinduoduo",
            "pdd-holdings",
            "alibaba-group",
            "vipshop",
            "jd-com",
            "bytedance",
            "kuaishou",
        ],
        "platforms": ["pinduoduo-app", "taobao", "douyin"],
        "topics": ["climate", "e-commerce"],
        "sources": [
            ("Greenpeace East Asia", "https://www.greenpeace.org/eastasia/"),
            ("Reuters", "https://www.reuters.com/sustainability/"),
        ],
        "image": {
            "drawing": "ranking_bars",
            "alt": "Six horizontal bars, longest at the top; the shortest, at the bottom, is red.",
            "caption": "Six platforms ranked, one bar each, in the order Greenpeace gave.",
            "credit": "Illustration: Digest",
        },
    },
    {
        "slug": "alibaba-ceo-eddie-wu-ai-open-technology-platform",
        "headline": "Alibaba's new CEO Eddie Wu stakes the group's future on AI",
        "summary": "In his first public outline of his plans, Eddie Wu Yongming said Alibaba is "
        "turning into an “open technology platform” centred on artificial intelligence, "
        "even though shopping still brings in most of its money.",
        "body": (
            "Wu spoke at the World Internet Conference in Wuzhen, the yearly meeting of China's "
            "internet bosses and officials. An Alibaba co-founder, he succeeded Daniel Zhang Yong "
            "as chief executive in September, inheriting a 24-year-old company in the middle of "
            "a reorganisation into six business units, among them entertainment, cloud computing "
            "and e-commerce.\n\n"
            "E-commerce remains the engine: **Taobao and Tmall Group** delivers the largest share "
            "of revenue and profit. But Wu argued that the group's next chapter depends on AI, "
            "with Alibaba as an open platform supplying the infrastructure that thousands of "
            "industries need to build with it."
        ),
        "event_date": date(2023, 11, 8),
        "companies": ["alibaba-group", "taobao-and-tmall-group"],
        "platforms": ["alibaba-cloud", "taobao", "tmall"],
        "topics": ["generative-ai", "leadership"],
        "sources": [
            (
                "South China Morning Post",
                "https://www.scmp.com/tech/big-tech/article/3240764/"
                "alibaba-ceo-eddie-wu-reaffirms-ai-commitment-"
                "aims-turn-e-commerce-empire-open-tech-platform",
            )
        ],
    },
    {
        "slug": "tiktok-live-fest-streaming-talent",
        "headline": "TikTok plans LIVE Fest to showcase its best live streamers",
        "summary": "TikTok is putting on LIVE Fest, an event that spotlights leading "
        "live-stream creators and invites them into challenges and activations; its "
        "competitive stage runs from 1 to 16 December.",
        "body": (
            "TikTok says the celebrations begin later in November but has not named a day. "
            "Another description of the event is more precise about the part that matters most "
            "to creators: the *tournament period* runs from **1 to 16 December**.\n\n"
            "The event spans more than 50 countries and regions. Live streaming is where TikTok "
            "creators earn gifts from fans, and where its shopping ambitions meet its "
            "entertainment. Details are on the "
            "[TikTok newsroom](https://newsroom.tiktok.com/en-us/live-fest-2023)."
        ),
        "event_date": date(2023, 11, 13),
        "companies": ["bytedance"],
        "platforms": ["tiktok"],
        "topics": ["live-streaming"],
        "sources": [SMT, ("TikTok Newsroom", "https://newsroom.tiktok.com/en-us/live-fest-2023")],
    },
    {
        "slug": "tiktok-add-to-music-app",
        "headline": "TikTok lets listeners save songs straight to their streaming service",
        "summary": "A new “Add to Music App” button sends tracks heard in TikTok videos to the "
        "user's library on Spotify, Apple Music or Amazon Music, tightening TikTok's links with "
        "the record industry.",
        "body": (
            "Hear something you like in a clip, tap through, and the track lands in your library "
            "on **Spotify**, **Apple Music** or **Amazon Music**.\n\n"
            "The option learns which service each person uses and, over time, offers to file "
            "songs into particular playlists or sections of their collection. For labels it "
            "turns TikTok from a place where songs are discovered into a direct route to streams, "
            "as [Social Media Today](https://www.socialmediatoday.com/) notes."
        ),
        "event_date": date(2023, 11, 14),
        "companies": ["bytedance", "spotify", "apple", "amazon"],
        "platforms": ["tiktok", "spotify", "apple-music", "amazon-music"],
        "topics": ["music"],
        "sources": [SMT, TIKTOK_NEWSROOM],
    },
]

PUBLISHED_ISSUE = {
    "number": 47,
    "title": "TikTok under scrutiny, a quiet Singles' Day",
    "intro": (
        "Welcome to issue 47. Regulators from Brussels to Kathmandu turned their attention to "
        "**TikTok** this week, Singles' Day ended without a sales tally, and China's platforms "
        "pushed generative AI into shopping and chat. Eight stories, briefly told."
    ),
    "wrapup": (
        "China's digital platforms change faster than any one week can capture, so we read widely "
        "and keep it short. Every company in this issue has its own page with all our coverage of "
        "it: start with [Alibaba Group](/companies/alibaba-group/) or "
        "[ByteDance](/companies/bytedance/). See you next Friday."
    ),
    "wrapup_heading": "Wrapping up",
    "report_title": "Our November 2023 report on China's digital platforms",
    "report_url": "https://example.com/reports/china-digital-platforms-november-2023/",
}

# Waiting for a reviewer; slotted into next week's issue.
REVIEW_STORY = {
    "slug": "alibaba-shelves-cloud-spin-off",
    "headline": "Alibaba shelves the spin-off of its cloud business",
    "summary": "Alibaba has dropped plans for a full spin-off of Alibaba Cloud, saying US "
    "restrictions on advanced chip exports have made the unit's prospects too uncertain.",
    "body": (
        "The decision, announced with the group's quarterly results, undoes one of the central "
        "pieces of the six-way split unveiled in the spring.\n\n"
        "Alibaba said tighter US limits on selling advanced chips to China cloud the outlook for "
        "its computing business, and that a separate listing would not add value for "
        "shareholders for now. Investors took the news badly."
    ),
    "event_date": date(2023, 11, 16),
    "companies": ["alibaba-group"],
    "platforms": ["alibaba-cloud"],
    "topics": ["leadership", "earnings"],
    "sources": [REUTERS_TECH],
}

# Still being written: a summary, a source, a body that is mostly notes.
DRAFT_STORY = {
    "slug": "pdd-revenue-jumps-on-temu",
    "headline": "PDD's revenue nearly doubles as Temu grows abroad",
    "summary": "PDD Holdings' quarterly revenue came close to doubling on a year earlier, "
    "helped by the overseas expansion of its Temu marketplace.",
    "body": (
        "*Draft.* To add: exact revenue figure, analysts' expectations, what the company said "
        "about Temu's costs."
    ),
    "event_date": date(2023, 11, 28),
    "companies": ["pdd-holdings", "pinduoduo"],
    "platforms": ["temu", "pinduoduo-app"],
    "topics": ["e-commerce", "earnings"],
    "sources": [REUTERS_TECH],
}

NEXT_ISSUE = {
    "number": 48,
    "title": "Alibaba's cloud U-turn",
    "intro": "Draft intro: Alibaba rethinks its break-up, and PDD's results.",
    "wrapup": "",
    "wrapup_heading": "Wrapping up",
    "report_title": "",
    "report_url": "",
    # Print order: the story in review first, the draft after it.
    "stories": ["alibaba-shelves-cloud-spin-off", "pdd-revenue-jumps-on-temu"],
}

# Earlier coverage, published on their own weeks before issue #47, so that company, platform and
# topic timelines have some depth. They belong to no issue in the demo.
EARLIER_STORIES = [
    {
        "slug": "tiktok-shop-closes-in-indonesia",
        "headline": "TikTok closes its shop in Indonesia after a social-commerce ban",
        "summary": "TikTok has stopped taking orders through TikTok Shop in Indonesia, one of its "
        "biggest markets, after the government barred social media platforms from handling "
        "e-commerce payments.",
        "body": (
            "Indonesia's new rule separates social media from shopping: platforms may still "
            "promote goods, but transactions must happen elsewhere. Officials presented it as "
            "protection for small offline traders.\n\n"
            "TikTok said it would *respect and comply* with local law, and shut the shopping "
            "feature within days."
        ),
        "event_date": date(2023, 10, 4),
        "published_at": datetime(2023, 10, 6, 9, 0, tzinfo=LONDON),
        "companies": ["bytedance"],
        "platforms": ["tiktok"],
        "topics": ["regulation", "e-commerce"],
        "sources": [("Reuters", "https://www.reuters.com/world/asia-pacific/")],
    },
    {
        "slug": "baidu-unveils-ernie-4",
        "headline": "Baidu unveils Ernie 4.0 and claims parity with GPT-4",
        "summary": "At its annual Baidu World event in Beijing, Baidu presented Ernie 4.0, the "
        "newest model behind Ernie Bot, with chief executive Robin Li saying it stands "
        "comparison with OpenAI's GPT-4.",
        "body": (
            "Robin Li demonstrated the model live, writing a martial-arts novel and producing "
            "advertising material on stage.\n\n"
            "Analysts were less impressed than the company hoped: the demonstration offered few "
            "surprises, and the claim of **GPT-4-level** ability was hard to check."
        ),
        "event_date": date(2023, 10, 17),
        "published_at": datetime(2023, 10, 20, 9, 0, tzinfo=LONDON),
        "companies": ["baidu"],
        "platforms": ["ernie-bot"],
        "topics": ["generative-ai"],
        "sources": [REUTERS_TECH],
    },
    {
        "slug": "alibaba-cloud-tongyi-qianwen-2",
        "headline": "Alibaba Cloud releases Tongyi Qianwen 2.0",
        "summary": "Alibaba's cloud unit used its Apsara Conference in Hangzhou to launch the "
        "second version of its Tongyi Qianwen large language model, along with AI tools aimed "
        "at businesses.",
        "body": (
            "The upgraded model, called *Qwen* for short, arrives six months after the first "
            "version. Alibaba Cloud pitched it as the basis for industry-specific assistants that "
            "customers build on its platform.\n\n"
            "It was the first Apsara Conference since Eddie Wu took charge of both the group and "
            "the cloud business."
        ),
        "event_date": date(2023, 10, 31),
        "published_at": datetime(2023, 11, 3, 9, 0, tzinfo=LONDON),
        "companies": ["alibaba-group"],
        "platforms": ["alibaba-cloud"],
        "topics": ["generative-ai"],
        "sources": [SCMP_TECH],
    },
]

# The demo's writers. Their photos are drawn at load time (initials on a colour, see
# load_demo), so the demo ships no pictures of real people. `user` links an author to a demo
# login: the editor writes under her own byline.
AUTHORS = [
    {
        "slug": "mira-castell",
        "name": "Mira Castell",
        "user": "editor",
        "colour": (31, 94, 140),
        "bio": "Mira edits the digest and writes about platforms and the rules that bind them, "
        "from Brussels' Digital Services Act to app bans in South Asia.",
        "links": [("Website", "https://example.com/mira-castell")],
    },
    {
        "slug": "tomas-reyes",
        "name": "Tomás Reyes",
        "colour": (148, 64, 36),
        "bio": "Tomás follows Chinese e-commerce and the money behind it: shopping festivals, "
        "earnings calls and the long contest between Alibaba, JD.com and PDD.",
        "links": [("Website", "https://example.com/tomas-reyes")],
    },
    {
        "slug": "ada-lindqvist",
        "name": "Ada Lindqvist",
        "colour": (46, 110, 72),
        "bio": "Ada covers artificial intelligence and the chatbots China's tech giants race to "
        "ship, and what they mean for the people who use them.",
        "links": [],
    },
]

# Who signed each demo story, in byline order; any story not listed is Mira's.
BYLINES = {
    "alibaba-jd-singles-day-growth-no-sales-total": ["tomas-reyes"],
    "china-tech-firms-consumer-generative-ai": ["ada-lindqvist", "mira-castell"],
    "greenpeace-ranks-pinduoduo-last-on-climate": ["tomas-reyes"],
    "alibaba-ceo-eddie-wu-ai-open-technology-platform": ["ada-lindqvist"],
    "alibaba-shelves-cloud-spin-off": ["tomas-reyes"],
    "pdd-revenue-jumps-on-temu": ["tomas-reyes"],
    "baidu-unveils-ernie-4": ["ada-lindqvist"],
    "alibaba-cloud-tongyi-qianwen-2": ["ada-lindqvist"],
}
DEFAULT_BYLINE = ["mira-castell"]
