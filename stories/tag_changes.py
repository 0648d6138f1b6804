"""Which stories a change of their tag rows touches, seen from either side of the relation
(`story.companies.add(...)` or `company.stories.remove(...)`): for the upkeep that follows
tags (stored fragments, search vectors)."""


def stories_touched(instance, action, reverse, pk_set, memo):
    """The ids of the stories whose tags this m2m_changed step changed, or None when the step
    changes nothing (yet). `memo` names the attribute that carries the stories losing the tag
    from the reverse side's pre_clear (whose pk_set is None) to its post_clear."""
    if action == "pre_clear" and reverse:
        setattr(instance, memo, list(instance.stories.values_list("pk", flat=True)))
        return None
    if action not in {"post_add", "post_remove", "post_clear"}:
        return None
    if not reverse:
        return [instance.pk]
    if action == "post_clear":
        return getattr(instance, memo, [])
    return list(pk_set or [])
