"""Companies, platforms and topics keep the number of live stories that name them.

"Live" is status "published", scheduled or not (the model's `is_live`); readers' counts subtract
the few scheduled stories still waiting (`with_published_counts()`), so a scheduled story counts
the moment its time comes, with no write. Counting the stories themselves on every company
index read every tag row of the archive.

The database keeps the count, so no path can forget it: saves, queryset updates, bulk inserts,
another process. Statement-level triggers see all rows a statement changed at once:
- a tag row added or removed (`Story.companies.set()`, publishing a revision) moves the count
  of its company when the story is live; it first waits for any concurrent status change of
  the story to commit (FOR SHARE), so the status it reads is the one that stands;
- a story entering or leaving "published" moves the counts of everything it names;
- a deleted live story takes its counts with it.
A guard keeps every other write (an admin saving a company form with the value it read a minute
ago) from changing the count; only these triggers and the recount below may.
Registry rows are locked in id order, so two publications never deadlock on them.
"""

from django.db import migrations

# (tag table on stories, its column, the registry table)
TAGS = [
    ("stories_story_companies", "company_id", "companies_company"),
    ("stories_story_platforms", "platform_id", "companies_platform"),
    ("stories_story_topics", "topic_id", "companies_topic"),
]
LIVE = "'published'"


def _move(registry, deltas):
    """Add `deltas` (a query of tag_id, n) to the registry's counts, locking rows in id order."""
    return f"""
    PERFORM 1 FROM {registry} WHERE id IN (SELECT tag_id FROM ({deltas}) d) ORDER BY id FOR UPDATE;
    UPDATE {registry} r SET live_story_count = r.live_story_count + d.n
    FROM ({deltas}) d WHERE r.id = d.tag_id AND d.n <> 0;"""


def _tag_functions(table, column, registry):
    changed = f"""SELECT t.{column} AS tag_id, sum(t.sign) AS n FROM (
        SELECT a.{column}, a.story_id, %s AS sign FROM %s a
        ) t JOIN stories_story s ON s.id = t.story_id WHERE s.status = {LIVE} GROUP BY t.{column}"""
    body = """
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM stories_story WHERE id IN (SELECT story_id FROM {rows}) ORDER BY id FOR SHARE;
    {move}
    RETURN NULL;
END $$;"""
    added = body.format(
        name=f"{table}_added", rows="added", move=_move(registry, changed % ("1", "added"))
    )
    removed = body.format(
        name=f"{table}_removed",
        rows="removed",
        move=_move(registry, changed % ("-1", "removed")),
    )
    return f"""{added}
{removed}
CREATE TRIGGER {table}_added AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {table}_added();
CREATE TRIGGER {table}_removed AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION {table}_removed();
CREATE TRIGGER {table}_moved_out AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION {table}_removed();
CREATE TRIGGER {table}_moved_in AFTER UPDATE ON {table}
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {table}_added();
"""


def _guard(registry):
    return f"""
CREATE FUNCTION {registry}_live_story_count_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Depth 1 is a statement from outside; the count triggers above update at depth 2.
    IF pg_trigger_depth() < 2 AND current_setting('digest.recount', true) IS DISTINCT FROM 'on'
    THEN
        NEW.live_story_count := CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE OLD.live_story_count END;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER {registry}_live_story_count_guard BEFORE INSERT OR UPDATE ON {registry}
    FOR EACH ROW EXECUTE FUNCTION {registry}_live_story_count_guard();
"""


# The stories of an UPDATE that entered "published" (sign 1) or left it (-1). Each transition
# table is read once and the rows are summed per story: joining the two tables instead made a
# statement that rewrote every story (a search-vector recount of 100,000 rows) spill them to
# disk and read them back again and again, for many minutes.
_STATUS_MOVES = f"""SELECT id, sum(sign) AS sign FROM (
        SELECT id, 1 AS sign FROM new_rows WHERE status = {LIVE}
        UNION ALL SELECT id, -1 FROM old_rows WHERE status = {LIVE}
    ) live GROUP BY id HAVING sum(sign) <> 0"""


def _status_functions():
    moves_on_update, moves_on_delete = [], []
    for table, column, registry in TAGS:
        moves_on_update.append(
            _move(
                registry,
                f"""SELECT t.{column} AS tag_id, sum(c.sign) AS n FROM ({_STATUS_MOVES}) c
                JOIN {table} t ON t.story_id = c.id GROUP BY t.{column}""",
            )
        )
        moves_on_delete.append(
            _move(
                registry,
                f"""SELECT t.{column} AS tag_id, -count(*) AS n FROM old_rows o
                JOIN {table} t ON t.story_id = o.id WHERE o.status = {LIVE}
                GROUP BY t.{column}""",
            )
        )
    return f"""
CREATE FUNCTION stories_story_status_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS ({_STATUS_MOVES}) THEN
        RETURN NULL;  -- an edit that left the status alone: nothing to count
    END IF;
    {"".join(moves_on_update)}
    RETURN NULL;
END $$;
CREATE TRIGGER stories_story_status_moved AFTER UPDATE ON stories_story
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stories_story_status_moved();

-- Django deletes the tag rows first (their trigger counts them); this covers a story deleted
-- while its tag rows still exist (the foreign keys are checked at commit).
CREATE FUNCTION stories_story_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {"".join(moves_on_delete)}
    RETURN NULL;
END $$;
CREATE TRIGGER stories_story_deleted AFTER DELETE ON stories_story
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stories_story_deleted();
"""


def _recount():
    updates = [
        f"""UPDATE {registry} r SET live_story_count = (
            SELECT count(*) FROM {table} t JOIN stories_story s ON s.id = t.story_id
            WHERE t.{column} = r.id AND s.status = {LIVE});"""
        for table, column, registry in TAGS
    ]
    return (
        "SELECT set_config('digest.recount', 'on', true);\n"
        + "\n".join(updates)
        + "\nSELECT set_config('digest.recount', 'off', true);"
    )


def _lock():
    # No tag or status may change between the recount and the triggers taking over.
    tables = ", ".join(["stories_story", *(table for table, _, _ in TAGS)])
    return f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE;"


FORWARD = "\n".join(
    [
        _lock(),
        *(_tag_functions(*tag) for tag in TAGS),
        _status_functions(),
        *(_guard(registry) for _, _, registry in TAGS),
        _recount(),
    ]
)

BACKWARD = "\n".join(
    [
        "DROP TRIGGER stories_story_status_moved ON stories_story;",
        "DROP TRIGGER stories_story_deleted ON stories_story;",
        "DROP FUNCTION stories_story_status_moved(); DROP FUNCTION stories_story_deleted();",
        *(
            f"""DROP TRIGGER {table}_added ON {table}; DROP TRIGGER {table}_removed ON {table};
            DROP TRIGGER {table}_moved_out ON {table}; DROP TRIGGER {table}_moved_in ON {table};
            DROP FUNCTION {table}_added(); DROP FUNCTION {table}_removed();
            DROP TRIGGER {registry}_live_story_count_guard ON {registry};
            DROP FUNCTION {registry}_live_story_count_guard();"""
            for table, _, registry in TAGS
        ),
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0003_live_story_count"),
        ("stories", "0008_safe_images"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
