"""schema.org JSON-LD for stories and issues. Built from objects the page already loaded."""

from sitesettings.models import current as site_settings


def _organization(company, request):
    data = {
        "@type": "Organization",
        "name": company.name,
        "url": request.build_absolute_uri(company.get_absolute_url()),
    }
    if company.name_zh:
        data["alternateName"] = company.name_zh
    return data


def _publisher():
    return {"@type": "Organization", "name": site_settings().name}


def _person(author, request):
    return {
        "@type": "Person",
        "name": author.name,
        "url": request.build_absolute_uri(author.get_absolute_url()),
    }


def story_jsonld(story, canonical, request):
    """A NewsArticle by its authors (Person), `about` the story's companies, `mentions` its
    platforms."""
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
    if story.published_at:
        data["datePublished"] = story.published_at.isoformat()
    if story.updated_at:
        data["dateModified"] = story.updated_at.isoformat()
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
        data["mentions"] = [
            {
                "@type": "Organization",
                "name": p.name,
                "url": request.build_absolute_uri(p.get_absolute_url()),
            }
            for p in platforms
        ]
    return data


def issue_jsonld(issue, shown, canonical, request):
    """An ItemList of the issue's stories, in print order; `shown` holds (headline, path)."""
    site = request.build_absolute_uri("/").removesuffix("/")
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": f"Issue #{issue.number}: {issue.title}",
        "url": canonical,
        "numberOfItems": len(shown),
        "itemListElement": [
            {"@type": "ListItem", "position": i, "url": site + path, "name": headline}
            for i, (headline, path) in enumerate(shown, start=1)
        ],
    }
