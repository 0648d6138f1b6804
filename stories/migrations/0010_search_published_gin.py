"""Search reads published stories only, with one text configuration.

- Its GIN index leaves drafts and reviews out (partial on the published status) and keeps no
  pending list (see the comment on Story.Meta.indexes).
- The names of a story's companies and platforms (weight D) are indexed with the 'english'
  configuration like the rest of the vector, so one English query matches every weight; the
  stored vectors are recomputed here (the same statement as stories.search, frozen).
"""

import django.contrib.postgres.indexes
from django.db import migrations, models

_NAMES = """
coalesce((
    SELECT string_agg(concat_ws(' ', c.name, c.name_zh, array_to_string(c.aliases, ' ')), ' ')
    FROM stories_story_companies sc JOIN companies_company c ON c.id = sc.company_id
    WHERE sc.story_id = s.id
), '') || ' ' || coalesce((
    SELECT string_agg(concat_ws(' ', p.name, array_to_string(p.aliases, ' ')), ' ')
    FROM stories_story_platforms sp JOIN companies_platform p ON p.id = sp.platform_id
    WHERE sp.story_id = s.id
), '')
"""


def _recompute(names_config):
    return f"""
UPDATE stories_story s SET search_vector =
    setweight(to_tsvector('english', coalesce(s.headline, '')), 'A')
    || setweight(to_tsvector('english', coalesce(s.summary, '')), 'B')
    || setweight(to_tsvector('english', coalesce(s.body, '')), 'C')
    || setweight(to_tsvector('{names_config}', {_NAMES}), 'D')
"""


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0009_live_story_counts"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="story",
            name="story_search_gin",
        ),
        migrations.RunSQL(_recompute("english"), reverse_sql=_recompute("simple")),
        migrations.AddIndex(
            model_name="story",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("status", "published")),
                fastupdate=False,
                fields=["search_vector"],
                name="story_published_search_gin",
            ),
        ),
    ]
