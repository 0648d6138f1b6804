"""schema.org JSON-LD for the reader's pages, built from objects the page already loaded (no
query of its own). The `jsonld` template filter (stories.templatetags.digest) prints it so that
no text can close the script element.

- A story is a NewsArticle, `isPartOf` the PublicationIssue it ran in.
- An issue is a PublicationIssue of the publication, a Periodical, with its stories in order.
- A company is an Organization (its group as `parentOrganization`).
- A platform is a Service with its company as `provider`: platforms range from apps (TikTok)
  to marketplaces (Taobao), payments and cloud, and Service is the one type that fits all of
  them without claiming what a SoftwareApplication or WebSite must have (an operating system,
  offers) or that a product is a legal body (Organization).

Dates: `datePublished` is when it went public, `dateModified` when readers last saw it change
(`content_changed_at`, moved only by publishing, corrections and unpublishing).
"""

from sitesettings.models import current as site_settings


def _iso(moment):
    return moment.isoformat() if moment else None


def _site(request):
    return request.build_absolute_uri("/")


def _absolute(request, path):
    return request.build_absolute_uri(path)


def _publisher():
    return {"@type": "Organization", "name": site_settings().name}


def _person(author, request):
    return {
        "@type": "Person",
        "name": author.name,
        "url": request.build_absolute_uri(author.get_absolute_url()),
    }


def periodical(request):
    """The publication itself: every issue is part of it."""
    site = _site(request)
    return {
        "@type": "Periodical",
        "@id": f"{site}#periodical",
        "name": site_settings().name,
        "url": site,
        "publisher": _publisher(),
    }


def _with_dates(data, published, modified):
    if published:
        data["datePublished"] = _iso(published)
    if modified or published:
        data["dateModified"] = _iso(modified or published)
    return data


def _alternate_names(*names):
    seen, kept = set(), []
    for name in names:
        name = (name or "").strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return kept


def _organization(company, request):
    data = {
        "@type": "Organization",
        "name": company.name,
        "url": _absolute(request, company.get_absolute_url()),
    }
    if company.name_zh:
        data["alternateName"] = company.name_zh
    return data


def _service(platform, request):
    return {
        "@type": "Service",
        "name": platform.name,
        "url": _absolute(request, platform.get_absolute_url()),
    }


def _issue_ref(issue, request):
    return {
        "@type": "PublicationIssue",
        "issueNumber": issue.number,
        "name": f"Issue #{issue.number}: {issue.title}",
        "url": _absolute(request, issue.get_absolute_url()),
        "isPartOf": periodical(request),
    }


def story_jsonld(story, canonical, request, issue=None):
    """A NewsArticle by its authors (Person): `about` the story's companies, `mentions` its
    platforms, `isPartOf` the published `issue` it ran in (if any)."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.headline[:110],
        "description": story.summary,
        "url": canonical,
        "mainEntityOfPage": canonical,
        "publisher": _publisher(),
    }
    authors = getattr(story, "author_list", [])
    if authors:
        data["author"] = [_person(author, request) for author in authors]
    image = story.social_image()
    if image is not None:
        path, width, height, _type = image
        data["image"] = [
            {
                "@type": "ImageObject",
                "url": request.build_absolute_uri(path),
                "width": width,
                "height": height,
            }
        ]
    _with_dates(data, story.published_at, story.content_changed_at)
    if issue is not None:
        data["isPartOf"] = _issue_ref(issue, request)
    corrections = getattr(story, "correction_list", [])
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": correction.created_at.isoformat(),
            }
            for correction in corrections
        ]
    companies = story.company_list
    if companies:
        data["about"] = [_organization(c, request) for c in companies]
    platforms = story.platform_list
    if platforms:
        data["mentions"] = [_service(p, request) for p in platforms]
    return data


def issue_jsonld(issue, shown, canonical, request):
    """A PublicationIssue of the Periodical, its stories in print order as `hasPart`; `shown`
    holds (headline, path). `issue.changed_at` (IssueQuerySet.with_changed_at) counts the
    changes to its stories too."""
    site = _site(request).removesuffix("/")
    data = {
        "@context": "https://schema.org",
        "@type": "PublicationIssue",
        "@id": canonical,
        "issueNumber": issue.number,
        "name": f"Issue #{issue.number}: {issue.title}",
        "url": canonical,
        "isPartOf": periodical(request),
        "publisher": _publisher(),
        "hasPart": [
            {"@type": "NewsArticle", "position": i, "url": site + path, "headline": headline}
            for i, (headline, path) in enumerate(shown, start=1)
        ],
    }
    changed = getattr(issue, "changed_at", None) or issue.content_changed_at
    return _with_dates(data, issue.published_at, changed)


def company_jsonld(company, family, canonical, request):
    """An Organization: its names, its page, its own website, its group and subsidiaries
    (from the page's `family`, stories.timeline.company_family)."""
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": f"{canonical}#organization",
        "name": company.name,
        "url": canonical,
    }
    names = _alternate_names(company.name_zh, *company.aliases)
    if names:
        data["alternateName"] = names
    if company.description:
        data["description"] = company.description
    if company.website:
        data["sameAs"] = [company.website]
    if company.headquarters:
        data["location"] = company.headquarters
    if company.logo:
        data["logo"] = _absolute(request, company.logo.url)
    if family.parent:
        data["parentOrganization"] = {
            "@type": "Organization",
            "name": family.parent["name"],
            "url": _absolute(request, family.parent["url"]),
        }
    if family.children:
        data["subOrganization"] = [
            {
                "@type": "Organization",
                "name": child["name"],
                "url": _absolute(request, child["url"]),
            }
            for child in family.children
        ]
    return data


def platform_jsonld(platform, canonical, request):
    """A Service `provider`ed by the company that runs it (see the module's docstring)."""
    data = {
        "@context": "https://schema.org",
        "@type": "Service",
        "@id": f"{canonical}#service",
        "name": platform.name,
        "url": canonical,
        "serviceType": platform.get_kind_display(),
        "provider": _organization(platform.owner, request),
    }
    names = _alternate_names(*platform.aliases)
    if names:
        data["alternateName"] = names
    if platform.website:
        data["sameAs"] = [platform.website]
    if platform.logo:
        data["logo"] = _absolute(request, platform.logo.url)
    return data
