from django.shortcuts import get_object_or_404, render
from django.views.generic import ListView

from .models import Company, Platform, Story, Topic


def render_story_page(request, story, *, preview=False):
    """Render a story in the public design; previews get a banner and are never cached."""
    response = render(request, "stories/story_detail.html", {"story": story, "preview": preview})
    if preview:
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


def story_detail(request, slug):
    story = get_object_or_404(
        Story.objects.published().prefetch_related("sources", "companies", "platforms", "topics"),
        slug=slug,
    )
    return render_story_page(request, story)


class CompanyIndexView(ListView):
    template_name = "stories/company_index.html"
    context_object_name = "companies"

    def get_queryset(self):
        return Company.objects.order_by("name")


def _timeline(request, obj, stories, kind):
    stories = stories.published().order_by("-event_date", "-pk")
    return render(
        request, "stories/timeline.html", {"object": obj, "stories": stories, "kind": kind}
    )


def company_detail(request, slug):
    company = get_object_or_404(Company, slug=slug)
    return _timeline(request, company, company.stories.all(), "company")


def platform_detail(request, slug):
    platform = get_object_or_404(Platform, slug=slug)
    return _timeline(request, platform, platform.stories.all(), "platform")


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    return _timeline(request, topic, topic.stories.all(), "topic")
