"""Deleting a company, platform or topic never silently strips stories of their tags."""

import pytest
from django.db.models.deletion import ProtectedError

from stories.models import Company, Platform, Topic
from tests.factories import make_company, make_platform, make_story, make_topic

pytestmark = pytest.mark.django_db


def test_deleting_a_company_used_by_stories_is_refused_naming_them():
    company = make_company("Alibaba Group")
    make_story("Singles' Day sales grow", companies=[company])
    with pytest.raises(ProtectedError, match="Singles' Day sales grow"):
        company.delete()
    assert Company.objects.filter(pk=company.pk).exists()
    assert company.stories.count() == 1


def test_bulk_deleting_companies_is_refused_when_any_is_used():
    used, unused = make_company(), make_company()
    make_story(companies=[used])
    with pytest.raises(ProtectedError):
        Company.objects.filter(pk__in=[used.pk, unused.pk]).delete()
    assert Company.objects.filter(pk__in=[used.pk, unused.pk]).count() == 2


def test_deleting_a_platform_or_topic_used_by_stories_is_refused():
    platform, topic = make_platform(), make_topic()
    make_story(platforms=[platform], topics=[topic])
    with pytest.raises(ProtectedError):
        platform.delete()
    with pytest.raises(ProtectedError):
        Topic.objects.filter(pk=topic.pk).delete()
    assert Platform.objects.filter(pk=platform.pk).exists()
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_a_company_with_platforms_cannot_be_deleted():
    platform = make_platform()
    with pytest.raises(ProtectedError):
        platform.owner.delete()


def test_unused_companies_can_be_deleted():
    company = make_company()
    company.delete()
    assert not Company.objects.filter(pk=company.pk).exists()
