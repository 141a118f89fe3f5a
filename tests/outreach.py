"""Bucket lists the why and curve tests share: a pooled initial outreach and its follow-up to non-responders."""

from __future__ import annotations


def initial_and_follow_up(pool: int) -> list[dict[str, object]]:
    """A high-priority "Initial" bucket with ``pool`` recipients a cycle, and a "Follow-up" to its non-responders 5 days on."""
    return [
        {"name": "Initial", "goal": "sales", "priority": "high", "response_rate": 0.15, "pool": pool},
        {
            "name": "Follow-up",
            "goal": "sales",
            "priority": "medium",
            "response_rate": 0.1,
            "follows": "Initial",
            "follows_who": "non_responders",
            "gap_days": 5,
        },
    ]
