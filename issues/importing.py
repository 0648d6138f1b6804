"""Importing a digest post (Markdown, or the HTML a site builder exports) as a draft issue.

Three steps, each usable alone:

1. `read_post(data, name)` turns the uploaded bytes into a `Post`: title, intro, the numbered
   stories in order (headline, summary, body, links), wrap-up. It touches no database and
   raises `ImportRefused` with a message for the person importing when the post cannot be
   read (too large, binary, not UTF-8, no numbered stories, gaps or repeats, a story with no
   text).
2. `plan_import(post, number=None)` decides what would be created: the issue number, unique
   web addresses, sources and the tags suggested from the registry. The plan is plain data
   (JSON-safe), so the admin can show it as a preview and sign it into the confirm form.
3. `create_from_plan(plan, by)` creates exactly that, in one transaction, as drafts: every
   story and the issue get their first revision and an "imported" entry in the log, as a save
   in the admin would, with `by` as the author. Anything taken since the plan was made (the
   number, an address) refuses the whole import; nothing is half-created.

HTML is converted to Markdown here with the standard library's parser, keeping only
paragraphs, headings, lists, quotes, emphasis and http(s) links: scripts, styles, forms,
attributes and event handlers never reach the stored text (which is rendered through
stories.markdown, sanitized again, anyway).
"""

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify


class ImportRefused(Exception):
    """The post cannot be imported; the message says why, in the importer's words."""


# ---------------------------------------------------------------------------------------------
# What a post holds


@dataclass
class Link:
    publisher: str
    url: str


@dataclass
class ParsedStory:
    number: int
    headline: str
    summary: str
    body: str
    links: list = field(default_factory=list)


@dataclass
class Post:
    title: str
    intro: str
    stories: list
    wrapup: str
    # The wrap-up's own heading ("Wrapping up"), kept apart from its text.
    wrapup_heading: str = ""
    published_on: date | None = None
    format: str = "markdown"


# ---------------------------------------------------------------------------------------------
# Bytes to text


def decode(data, max_bytes=None):
    """The post's text, or ImportRefused: too large, empty, binary or not UTF-8."""
    limit = max_bytes if max_bytes is not None else settings.DIGEST_UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise ImportRefused(
            f"The file is {format_size(len(data))}; posts may be at most {format_size(limit)}. "
            "Import a single post, not a whole site export."
        )
    if not data.strip():
        raise ImportRefused("The file is empty.")
    if b"\x00" in data[:8192] or data[:4] in (b"%PDF", b"PK\x03\x04"):
        raise ImportRefused(
            "This looks like a binary file (a PDF, a Word document or an archive?). "
            "Import the post as Markdown or as the HTML page your site builder exports."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            f"The file is not UTF-8 text (byte 0x{data[error.start]:02x} at position "
            f"{error.start} cannot be read). Save it as UTF-8 and try again."
        ) from None
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > 8:
        raise ImportRefused("This looks like a binary file, not a post written as text.")
    return text


def format_size(n):
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


# ---------------------------------------------------------------------------------------------
# HTML to Markdown

_HTML_HINT = re.compile(r"<(?:!doctype|html|body|p|div|h[1-6]|br|li|section|article)\b", re.I)


def looks_like_html(text):
    """A page (starts with a tag) or text with several block tags; else Markdown or plain text."""
    start = text.lstrip()[:1]
    return start == "<" or len(_HTML_HINT.findall(text[:200_000])) >= 3


# Everything inside these is dropped, text included.
_SKIPPED = {
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "nav",
    "form", "button", "select", "textarea", "canvas", "video", "audio", "head", "footer",
}  # fmt: skip
_BLOCKS = {
    "p", "div", "section", "article", "main", "header", "aside", "figure",
    "figcaption", "blockquote", "ul", "ol", "li", "table", "tr", "hr", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "address", "body", "html",
}  # fmt: skip
_VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area", "base"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


class _HtmlToMarkdown(HTMLParser):
    """A small, strict converter: blocks become paragraphs (headings keep `#`), strong and em
    become `**` and `*`, http(s) links become Markdown links, and everything else is text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.line = []
        self.skip_depth = 0
        self.heading = 0
        self.links = []  # open <a>: (href or None, position in self.line)
        self.lists = []  # "ul" / "ol" counters
        self.quote = 0
        self.title = ""
        self.in_title = False
        self.meta = {}

    # -- collecting --------------------------------------------------------------------------

    def _flush(self):
        text = "".join(self.line)
        self.line = []
        lines = [re.sub(r"[ \t\r\f\v]+", " ", part).strip() for part in text.split("\n")]
        text = "\n".join(part for part in lines if part)
        if not text:
            return
        if self.heading:
            text = "#" * self.heading + " " + _strip_emphasis(text.replace("\n", " "))
        if self.quote:
            text = "\n".join("> " + part for part in text.split("\n"))
        self.blocks.append(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self.in_title = True
            return
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name") or ""
            self.meta[key.lower()] = attrs.get("content") or ""
            return
        if tag == "time" and attrs.get("datetime"):
            self.meta.setdefault("time", attrs["datetime"])
        if self.skip_depth or tag in _SKIPPED:
            if tag not in _VOID:
                self.skip_depth += 1
            return
        if tag == "br":
            self.line.append("\n")
        elif tag in _BLOCKS:
            self._flush()
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                self.heading = int(tag[1])
            elif tag in ("ul", "ol"):
                self.lists.append([tag, 0])
            elif tag == "li":
                if self.lists and self.lists[-1][0] == "ol":
                    self.lists[-1][1] += 1
                    self.line.append(f"{self.lists[-1][1]}\\. ")
                else:
                    self.line.append("- ")
            elif tag == "blockquote":
                self.quote += 1
            elif tag == "hr":
                self.blocks.append("---")
        elif tag in ("strong", "b"):
            self.line.append("**")
        elif tag in ("em", "i"):
            self.line.append("*")
        elif tag == "a":
            href = (attrs.get("href") or "").strip()
            self.links.append((href if _web_url(href) else None, len(self.line)))
            self.line.append("")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
            return
        if self.skip_depth:
            if tag in _SKIPPED or tag not in _VOID:
                self.skip_depth -= 1
            return
        if tag in _BLOCKS:
            self._flush()
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                self.heading = 0
            elif tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            elif tag == "blockquote" and self.quote:
                self.quote -= 1
        elif tag in ("strong", "b"):
            self.line.append("**")
        elif tag in ("em", "i"):
            self.line.append("*")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            if href:
                text = "".join(self.line[start:]).strip() or href
                del self.line[start:]
                self.line.append(f"[{text}]({href})")

    def handle_data(self, data):
        if self.in_title:
            self.title += data
            return
        if self.skip_depth:
            return
        self.line.append(_MARKDOWN_SPECIAL.sub(r"\\\1", _clean_spaces(data)))

    def close(self):
        super().close()
        self._flush()


def html_to_markdown(text):
    """(markdown, hints): the page's text as Markdown paragraphs, and what its head says
    (title, publication time)."""
    parser = _HtmlToMarkdown()
    parser.feed(text)
    parser.close()
    markdown = "\n\n".join(parser.blocks)
    # Emphasis opened and closed around nothing ("** **" from an empty <strong>) is noise.
    markdown = re.sub(r"\*\*\s*\*\*", " ", markdown)
    hints = {
        "title": _clean_spaces(parser.meta.get("og:title") or parser.title.split(" | ")[0]).strip(),
        "date": parser.meta.get("article:published_time") or parser.meta.get("time") or "",
    }
    return markdown, hints


# ---------------------------------------------------------------------------------------------
# Text helpers

_SPACES = re.compile(r"[\u00a0\u2007\u202f\u3000]")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


def _clean_spaces(text):
    return _INVISIBLE.sub("", _SPACES.sub(" ", text))


_MD_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_BARE_URL = re.compile(r"(?<![(\[<\"'])\bhttps?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"]")
_ESCAPE = re.compile(r"\\([\\`*_\[\]{}()#+\-.!<>|~])")
_RAW_TAG = re.compile(r"</?[A-Za-z][^>\n]*>")
_RAW_DANGER = re.compile(r"<(script|style|iframe|object)\b.*?</\1\s*>", re.I | re.S)


def _strip_emphasis(text):
    text = re.sub(r"(?<!\\)(\*\*|__)", "", text)
    return re.sub(r"(?<![\\\w])[*_](?=\S)|(?<=\S)(?<!\\)[*_](?!\w)", "", text)


def _unescape(text):
    return _ESCAPE.sub(r"\1", text)


def plain_text(markdown):
    """Markdown as the words a reader sees: links keep their text, emphasis goes."""
    text = _MD_LINK.sub(lambda m: m.group(1), markdown)
    text = _AUTOLINK.sub(lambda m: m.group(1), text)
    return " ".join(_unescape(_strip_emphasis(text)).split())


def _web_url(url):
    if not url or len(url) > 500 or not url.lower().startswith(("http://", "https://")):
        return False
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return False
    return True


# Publishers named after a link's domain when the link's words are not a name.
KNOWN_PUBLISHERS = {
    "bbc.co.uk": "BBC",
    "bbc.com": "BBC",
    "bloomberg.com": "Bloomberg",
    "caixinglobal.com": "Caixin",
    "cnbc.com": "CNBC",
    "ft.com": "Financial Times",
    "nytimes.com": "The New York Times",
    "reuters.com": "Reuters",
    "scmp.com": "South China Morning Post",
    "socialmediatoday.com": "Social Media Today",
    "techcrunch.com": "TechCrunch",
    "technode.com": "TechNode",
    "theverge.com": "The Verge",
    "wsj.com": "The Wall Street Journal",
}
_GENERIC_LINK_TEXT = re.compile(
    r"^(click here|here|this|link|source|sources|read more|more|full story|full report|"
    r"the report|report|this report|this article|article|via|read the full (story|report)|"
    r"continue reading)\W*$",
    re.I,
)


def publisher_for(url, text="", standalone=False):
    """Who published `url`: the link's words when they name someone (a link standing alone,
    as in "Source: Reuters"), else a known name for its domain, else the domain itself."""
    text = plain_text(text).strip()
    if (
        standalone
        and text
        and not _GENERIC_LINK_TEXT.match(text)
        and not text.lower().startswith(("http://", "https://", "www."))
        and len(text) <= 80
        and len(text.split()) <= 8
    ):
        return text
    host = (urlsplit(url).hostname or "").lower()
    host = host.removeprefix("www.").removeprefix("m.")
    for domain, name in KNOWN_PUBLISHERS.items():
        if host == domain or host.endswith("." + domain):
            return name
    return host[:200] or "Source"


_SOURCE_LINE = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?:sources?|via|read more(?: at| on)?|more at|original)\s*:?\s*"
    r"(?:\*\*|__)?\s*:?\s*",
    re.I,
)


def links_in(markdown):
    """The http(s) links of a Markdown text, in order, each once, with their publishers."""
    found = []
    seen = set()
    for paragraph in _paragraphs(markdown):
        candidates = []
        for match in _MD_LINK.finditer(paragraph):
            candidates.append((match.start(), _unescape(match.group(2)), match.group(1), match))
        rest = _MD_LINK.sub(" ", paragraph)
        for match in _AUTOLINK.finditer(rest):
            candidates.append((10**9 + match.start(), match.group(1), "", None))
        rest = _AUTOLINK.sub(" ", rest)
        for match in _BARE_URL.finditer(rest):
            candidates.append((2 * 10**9 + match.start(), match.group(0), "", None))
        lead = _SOURCE_LINE.sub("", paragraph, count=1).strip()
        for _, url, text, match in sorted(candidates, key=lambda row: row[0]):
            if url in seen or not _web_url(url):
                continue
            seen.add(url)
            standalone = match is not None and (
                lead == match.group(0) or bool(_SOURCE_LINE.match(paragraph))
            )
            found.append(Link(publisher_for(url, text, standalone), url))
    return found


def _paragraphs(text):
    return [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]


def _without_unsafe_links(markdown):
    """Links to anything but web pages and mail keep their words only (javascript:, data:)."""

    def keep(match):
        url = _unescape(match.group(2))
        if _web_url(url) or url.lower().startswith("mailto:"):
            return match.group(0)
        return match.group(1)

    return _MD_LINK.sub(keep, markdown)


# ---------------------------------------------------------------------------------------------
# Finding the parts of a post

# "## 1. Headline", "1) Headline", "**1.** Headline", "**1. Headline**", "#1 Headline",
# "## #1: Headline", "1 - Headline" is not one (too easily a sentence).
_NUMBERED = re.compile(
    r"""^(?P<hashes>\#{1,6}[ \t]+)?
    (?P<bold>\*\*|__)?[ \t]*
    (?:\\?\#(?P<hashnum>\d{1,3})(?:\\?[.):]|[ \t]*[-–—])?|(?P<num>\d{1,3})(?:\\?[.)]|[、）．])(?!\d))
    [ \t]*(?P<close>\*\*|__)?[ \t]*:?[ \t]*
    (?P<headline>\S.*?)[ \t]*$""",
    re.X,
)
# Site-builder furniture that is not part of the post.
_NOISE = re.compile(
    r"^(?:top of page|bottom of page|skip to (?:main )?content|share this post|recent posts|"
    r"see all|[•·]?\s*writer['’]?s picture.*)$",
    re.I,
)
_WRAPUP = re.compile(
    r"^(?:wrapping(?: it)? up|wrap[- ]?up|to wrap up|in conclusion|conclusion|to conclude|"
    r"closing thoughts|final thoughts|final words|that'?s (?:all|a wrap)(?: for this week)?|"
    r"until next week|summing up|in summary|the bottom line|总结|结语|小结)\W*$",
    re.I,
)
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$")
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(?P<y>20\d\d)-(?P<m>\d\d)-(?P<d>\d\d)(?!\d)"),
    re.compile(r"\b(?P<mon>[A-Z][a-z]{2,8})\.? (?P<d>\d{1,2})(?:st|nd|rd|th)?,? (?P<y>20\d\d)\b"),
    re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)? (?P<mon>[A-Z][a-z]{2,8})\.?,? (?P<y>20\d\d)\b"),
)


def find_date(text):
    """The first full date written in `text` (2023-11-14, November 14, 2023, 14 Nov 2023)."""
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text or ""):
            parts = match.groupdict()
            if "mon" in parts:
                name = parts["mon"].lower()
                months = [i for i, month in enumerate(_MONTHS, 1) if month.startswith(name[:3])]
                if not months or not _MONTHS[months[0] - 1].startswith(name):
                    continue
                month = months[0]
            else:
                month = int(parts["m"])
            try:
                return date(int(parts["y"]), month, int(parts["d"]))
            except ValueError:
                continue
    return None


@dataclass
class _Heading:
    line: int
    number: int
    headline: str
    strong: bool


def _numbered_headings(lines):
    """Lines that open a numbered story. Headings and bold numbers count wherever they stand;
    a plain "1. Headline" only as a paragraph of its own (else it is a list in the text), and
    only when the post has no stronger kind."""
    strong, weak = [], []
    for index, raw in enumerate(lines):
        line = raw.strip()
        match = _NUMBERED.match(line)
        if not match:
            continue
        headline = plain_text(match.group("headline")).strip(" :-–—")
        if not headline or len(headline) > 255:
            continue
        number = int(match.group("hashnum") or match.group("num"))
        if match.group("hashes") or match.group("bold") or match.group("hashnum"):
            strong.append(_Heading(index, number, match.group("headline"), True))
            continue
        before = index == 0 or not lines[index - 1].strip()
        after = index + 1 >= len(lines) or not lines[index + 1].strip()
        if before and after and not headline.endswith((".", ",", ";")):
            weak.append(_Heading(index, number, match.group("headline"), False))
    return strong or weak


def _check_numbering(headings):
    numbers = [heading.number for heading in headings]
    seen = {}
    for heading in headings:
        if heading.number in seen:
            raise ImportRefused(
                f"Story number {heading.number} appears twice (lines {seen[heading.number]} "
                f"and {heading.line + 1}). Number the stories 1, 2, 3… once each."
            )
        seen[heading.number] = heading.line + 1
    expected = list(range(1, len(numbers) + 1))
    if numbers != expected:
        for position, number in enumerate(numbers, start=1):
            if number != position:
                previous = numbers[position - 2] if position > 1 else None
                where = f"after story {previous}" if previous else "at the start"
                raise ImportRefused(
                    f"The stories are numbered {', '.join(map(str, numbers))}: {where} comes "
                    f"story {number} where {position} was expected. Number them 1, 2, 3… "
                    "without gaps, in the order they print."
                )


def _clean_lines(text):
    lines = [_clean_spaces(line).rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return ["" if _NOISE.match(plain_text(line)) else line for line in lines]


def _block_title(paragraph):
    """The words of a short standalone line, or "" (a heading, a bold line or a short line)."""
    if "\n" in paragraph:
        return ""
    heading = _HEADING.match(paragraph)
    words = plain_text(heading.group(1) if heading else paragraph)
    return words if len(words) <= 80 else ""


def read_post(data, name="post"):
    """The post in `data` (bytes) as a Post, or ImportRefused saying what is wrong."""
    text = decode(data) if isinstance(data, bytes) else data
    hints = {"title": "", "date": ""}
    kind = "markdown"
    if looks_like_html(text):
        kind = "html"
        text, hints = html_to_markdown(text)
    else:
        text = _RAW_DANGER.sub("", text)
        text = _RAW_TAG.sub(lambda m: m.group(0) if _AUTOLINK.fullmatch(m.group(0)) else "", text)
    lines = _clean_lines(text)
    headings = _numbered_headings(lines)
    if not headings:
        raise ImportRefused(
            "No numbered stories found. Each story should start with a numbered headline on "
            "its own line, such as “## 1. Headline”, “1. Headline”, “**1.** Headline” or "
            "“#1 Headline”."
        )
    _check_numbering(headings)

    head = "\n".join(lines[: headings[0].line])
    title, intro = _title_and_intro(head, hints["title"])
    published_on = find_date(hints["date"]) or find_date(head)

    stories = []
    wrapup_heading, wrapup = "", ""
    for index, heading in enumerate(headings):
        end = headings[index + 1].line if index + 1 < len(headings) else len(lines)
        section = lines[heading.line + 1 : end]
        if index + 1 == len(headings):
            section, wrapup_heading, wrapup = _split_wrapup(section)
        stories.append(_story(heading, "\n".join(section)))
    return Post(
        title=title,
        intro=intro,
        stories=stories,
        wrapup=wrapup,
        wrapup_heading=wrapup_heading,
        published_on=published_on,
        format=kind,
    )


def _title_and_intro(head, hinted_title):
    paragraphs = _paragraphs(head)
    title = ""
    for index, paragraph in enumerate(paragraphs):
        heading = _HEADING.match(paragraph) if "\n" not in paragraph else None
        if heading:
            title = plain_text(heading.group(1))
            del paragraphs[index]
            break
    if not title:
        for index, paragraph in enumerate(paragraphs):
            words = _block_title(paragraph)
            if words and not words.endswith((".", "!", "?", ":")) and not find_date_only(words):
                title = words
                del paragraphs[index]
                break
    title = title or hinted_title
    if not title:
        raise ImportRefused(
            "No title found: start the post with its title on a line of its own "
            "(for example “# China Digital Digest, week 46”)."
        )
    intro = [p for p in paragraphs if not find_date_only(plain_text(p))]
    return title[:255], _without_unsafe_links("\n\n".join(intro))


def find_date_only(words):
    """Whether a line is just a date (perhaps "Published on ..."): it belongs to no text."""
    found = find_date(words)
    return found is not None and len(words) <= 40


def _split_wrapup(lines):
    """(story lines, wrap-up heading, wrap-up text): the last story ends at a wrap-up heading
    ("Wrapping up", "In conclusion", ...) or a horizontal rule."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if _RULE.match(stripped):
            heading = ""
        else:
            words = _block_title(stripped)
            if not words or not _WRAPUP.match(words):
                continue
            heading = words
        rest = "\n".join(lines[index + 1 :])
        if heading == "":
            # After a rule, a first line that names the wrap-up is its heading.
            first = _paragraphs(rest)[:1]
            words = _block_title(first[0]) if first else ""
            if words and _WRAPUP.match(words):
                heading = words
                rest = rest.split(first[0], 1)[1]
        return lines[:index], heading, _without_unsafe_links("\n\n".join(_paragraphs(rest)))
    return lines, "", ""


def _story(heading, text):
    headline_md = heading.headline
    headline = plain_text(headline_md).strip(" :-–—")
    paragraphs = _paragraphs(text)
    links = links_in("\n\n".join([headline_md, *paragraphs]))
    # "Source: Reuters" lines are sources, not text.
    paragraphs = [p for p in paragraphs if not _is_source_line(p)]
    if not paragraphs:
        raise ImportRefused(
            f"Story {heading.number} (“{headline}”) has no text under its headline. "
            "Write at least a sentence, or take the heading out."
        )
    summary = plain_text(paragraphs[0])
    body = _without_unsafe_links("\n\n".join(paragraphs[1:]))
    return ParsedStory(heading.number, headline, summary, body, links)


def _is_source_line(paragraph):
    if not _SOURCE_LINE.match(paragraph) or "\n" in paragraph.strip():
        return False
    rest = _SOURCE_LINE.sub("", paragraph, count=1)
    rest = _MD_LINK.sub("", _AUTOLINK.sub("", rest))
    rest = _BARE_URL.sub("", rest)
    return not re.sub(r"[\s,;|/&]+|\band\b", "", rest)


# ---------------------------------------------------------------------------------------------
# Planning and creating


def suggested_tags(headline, text):
    """{"companies", "platforms", "topics"}: slugs the registry suggests for the story."""
    from companies.suggest import suggest

    found = suggest(headline, text)
    return {
        "companies": list(found.companies),
        "platforms": list(found.platforms),
        "topics": list(found.topics),
    }


SLUG_LENGTH = 80
# The largest number the issue's column holds (PositiveIntegerField).
MAX_ISSUE_NUMBER = 2_147_483_647


def _base_slug(headline, fallback):
    slug = slugify(headline)[:SLUG_LENGTH].rstrip("-")
    if "-" in slug and len(slugify(headline)) > SLUG_LENGTH:
        slug = slug.rsplit("-", 1)[0]
    # Headlines in Chinese (or only punctuation) have no Latin letters to make an address of.
    return slug if len(slug) >= 3 else fallback


def _unique_slugs(bases):
    from stories.models import Story

    stems = set(bases)
    taken = set(
        Story.objects.filter(slug__regex=r"^(" + "|".join(map(re.escape, stems)) + r")(-\d+)?$")
        .values_list("slug", flat=True)
        .order_by()
    )
    slugs = []
    for base in bases:
        slug, n = base, 2
        while slug in taken:
            slug = f"{base}-{n}"
            n += 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


def next_issue_number():
    from .models import Issue

    latest = Issue.objects.order_by("-number").values_list("number", flat=True).first()
    return (latest or 0) + 1


def plan_import(post, number=None, source_name=""):
    """What importing `post` creates, as JSON-safe data: the issue and its stories with their
    addresses, sources and suggested tags (slugs). Reads the database, writes nothing."""
    from .models import Issue

    if number is not None:
        if not 1 <= number <= MAX_ISSUE_NUMBER:
            raise ImportRefused(
                f"Issue numbers run from 1 to {MAX_ISSUE_NUMBER:,}; {number} cannot be used."
            )
        if Issue.objects.filter(number=number).exists():
            raise ImportRefused(
                f"Issue #{number} already exists. Choose another number, or leave it out to "
                f"take the next free one ({next_issue_number()})."
            )
    else:
        number = next_issue_number()
    event_date = post.published_on or timezone.localdate()
    slugs = _unique_slugs(
        [
            _base_slug(story.headline, f"issue-{number}-story-{story.number}")
            for story in post.stories
        ]
    )
    stories = []
    for story, slug in zip(post.stories, slugs, strict=True):
        stories.append(
            {
                "position": story.number,
                "headline": story.headline,
                "slug": slug,
                "summary": story.summary,
                "body": story.body,
                "event_date": event_date.isoformat(),
                "sources": [asdict(link) for link in story.links],
                "tags": suggested_tags(story.headline, f"{story.summary}\n\n{story.body}"),
            }
        )
    same_title = list(
        Issue.objects.filter(title=post.title[:255])
        .order_by("number")
        .values_list("number", flat=True)[:5]
    )
    return {
        "source_name": source_name[:200],
        "format": post.format,
        "number": number,
        "title": post.title,
        "intro": post.intro,
        "wrapup": post.wrapup,
        "wrapup_heading": post.wrapup_heading,
        "event_date": event_date.isoformat(),
        "dated_by_post": post.published_on is not None,
        "stories": stories,
        "same_title": same_title,
    }


def create_from_plan(plan, by):
    """Create the planned draft issue and stories in one transaction; return the issue.

    Every row is made as the admin makes a new one: a draft whose author is `by`, its first
    revision kept by `by` (editorial.workflow.keep_revision), and an "imported" entry in its
    log. Refuses (creating nothing) when the number or an address was taken since the plan.
    """
    from editorial import workflow
    from stories.models import Company, Platform, Source, Story, Topic

    from .models import Issue, IssueStory

    note = f"Imported from {plan['source_name']}" if plan.get("source_name") else "Imported"
    slugs = [story["slug"] for story in plan["stories"]]
    try:
        with transaction.atomic():
            if Issue.objects.filter(number=plan["number"]).exists():
                raise ImportRefused(
                    f"Issue #{plan['number']} was created by someone else since this import "
                    "was prepared. Import the post again to take the next number."
                )
            taken = list(Story.objects.filter(slug__in=slugs).values_list("slug", flat=True))
            if taken:
                raise ImportRefused(
                    f"The address “{taken[0]}” was taken by another story since this import "
                    "was prepared. Import the post again."
                )
            registry = {
                "companies": _by_slug(Company, plan, "companies"),
                "platforms": _by_slug(Platform, plan, "platforms"),
                "topics": _by_slug(Topic, plan, "topics"),
            }
            issue = Issue.objects.create(
                number=plan["number"],
                title=plan["title"],
                intro=plan["intro"],
                wrapup=plan["wrapup"],
            )
            for row in plan["stories"]:
                story = Story.objects.create(
                    headline=row["headline"],
                    slug=row["slug"],
                    summary=row["summary"],
                    body=row["body"],
                    event_date=date.fromisoformat(row["event_date"]),
                    author=by,
                )
                Source.objects.bulk_create(
                    Source(story=story, publisher=link["publisher"], url=link["url"], position=i)
                    for i, link in enumerate(row["sources"])
                )
                for name, found in registry.items():
                    wanted = [found[slug] for slug in row["tags"][name] if slug in found]
                    if wanted:
                        getattr(story, name).set(wanted)
                IssueStory.objects.create(issue=issue, story=story, position=row["position"])
                workflow.keep_imported(story, by=by, note=note)
            workflow.keep_imported(issue, by=by, note=note)
    except IntegrityError:
        raise ImportRefused(
            "Someone saved the same issue number or story address at the same moment; nothing "
            "was imported. Import the post again."
        ) from None
    return issue


def preview_stories(plan):
    """The plan's stories for the preview page, each with `tag_names`: the suggested
    companies, platforms and topics by name (three queries)."""
    from stories.models import Company, Platform, Topic

    found = {
        name: _by_slug(model, plan, name)
        for name, model in (("companies", Company), ("platforms", Platform), ("topics", Topic))
    }
    return [
        {
            **story,
            "tag_names": {
                name: [
                    str(found[name][slug]) for slug in story["tags"][name] if slug in found[name]
                ]
                for name in found
            },
        }
        for story in plan["stories"]
    ]


def _by_slug(model, plan, name):
    slugs = {slug for story in plan["stories"] for slug in story["tags"][name]}
    return model.objects.in_bulk(slugs, field_name="slug") if slugs else {}


PLAN_SALT = "issues.importing.plan"
# How long a preview may wait for its Confirm.
PLAN_MAX_AGE = 60 * 60


def sign_plan(plan, user):
    """The plan as a tamper-proof token for the confirm form, bound to the user who previewed."""
    return signing.dumps({"plan": plan, "user": user.pk}, salt=PLAN_SALT, compress=True)


def unsign_plan(token, user):
    """The plan signed by sign_plan for `user`, or ImportRefused when it is old or altered."""
    try:
        payload = signing.loads(token, salt=PLAN_SALT, max_age=PLAN_MAX_AGE)
    except signing.BadSignature:
        raise ImportRefused(
            "This preview is more than an hour old or was altered; upload the post again."
        ) from None
    if payload.get("user") != user.pk:
        raise ImportRefused("This preview was made by someone else; upload the post again.")
    return payload["plan"]


def import_post(data, *, by, number=None, name="post"):
    """Read, plan and create in one go (the management command); returns the issue."""
    post = read_post(data, name)
    return create_from_plan(plan_import(post, number, source_name=name), by)
