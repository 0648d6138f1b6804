"""Scoring suggestions against a labelled set (shared/suggest/README.md).

Each labelled line: {"id", "headline", "body", "companies", "platforms", "topics",
"optional": {"companies", "platforms", "topics"}}. Companies and platforms are scored together as
entity tags, topics apart: micro precision and recall over the required tags, with the optional
ones neither rewarded nor punished (a suggested optional tag is not a false positive, a missed one
not a false negative). Used by `make eval` (scripts/eval_suggest.py) and the regression test.
"""

import json
from dataclasses import dataclass, field

__all__ = ["Score", "read_labelled", "score"]


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    mistakes: list = field(default_factory=list)  # (id, "extra"/"missed", tag)

    @property
    def precision(self):
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self):
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    def line(self, label):
        return (
            f"{label}: precision {self.precision:.3f}, recall {self.recall:.3f} "
            f"(tp {self.true_positives}, fp {self.false_positives}, fn {self.false_negatives})"
        )


def read_labelled(path):
    """The labelled items of a JSON Lines file, blank lines skipped."""
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _add(result, item_id, required, optional, suggested):
    for tag in suggested:
        if tag in required:
            result.true_positives += 1
        elif tag not in optional:
            result.false_positives += 1
            result.mistakes.append((item_id, "extra", tag))
    for tag in required - set(suggested):
        result.false_negatives += 1
        result.mistakes.append((item_id, "missed", tag))


def score(items, suggest):
    """(entities Score, topics Score) of `suggest(headline, body)` over labelled items."""
    entities, topics = Score(), Score()
    for item in items:
        found = suggest(item["headline"], item["body"])
        optional = item.get("optional", {})
        for kind in ("companies", "platforms"):
            required = {f"{kind}:{slug}" for slug in item[kind]}
            allowed = {f"{kind}:{slug}" for slug in optional.get(kind, [])}
            suggested = [f"{kind}:{slug}" for slug in getattr(found, kind)]
            _add(entities, item["id"], required, allowed, suggested)
        _add(topics, item["id"], set(item["topics"]), set(optional.get("topics", [])), found.topics)
    return entities, topics
