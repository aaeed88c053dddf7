"""The expansions' table in the store: the targets of an expansion (a migration set)."""

from __future__ import annotations

from ..store import Dialect, MigrationSet

EXPAND = MigrationSet("expand")


@EXPAND.migration("targets")
def _targets(d: Dialect) -> list[str]:
    """An expansion's planned targets (``tokarc.expand``): its children, in the order they run.

    ``parent_id`` is the expansion's job, ``job_id`` the child job (none until it is made, or
    never when skipped), ``outcome`` what became of it (none while it is still to run).
    """
    return [
        f"""CREATE TABLE expand_targets (
            id {d.id_column}, parent_id BIGINT NOT NULL, depth INTEGER NOT NULL,
            step TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL,
            job_id BIGINT, outcome TEXT, UNIQUE (parent_id, kind, target))""",
        "CREATE INDEX expand_targets_job ON expand_targets (job_id)",
    ]


@EXPAND.migration("caps")
def _caps(d: Dialect) -> list[str]:
    """What cut an expansion short when its last run ended (``._expand_caps``): at ``depth``, in
    ``step``, ``taken`` of ``available`` (none: not known) ``noun``s because of ``cap``
    (``per_target``, ``fanout``, ``max_items``, ``max_units``, ``depth``) set to ``cap_value``;
    ``seq`` keeps the order they are said in."""
    return [
        f"""CREATE TABLE expand_caps (
            id {d.id_column}, parent_id BIGINT NOT NULL, seq INTEGER NOT NULL,
            depth INTEGER NOT NULL, step TEXT NOT NULL, cap TEXT NOT NULL,
            taken INTEGER NOT NULL, available INTEGER, noun TEXT NOT NULL,
            cap_value INTEGER NOT NULL, UNIQUE (parent_id, seq))""",
    ]


@EXPAND.migration("profile_seeds")
def _profile_seeds(d: Dialect) -> list[str]:
    """``user:NAME`` names an account's posts everywhere now (``tokarc.targets``); an expansion
    stored with a ``user:`` seed started from the account's profile, which is ``profile:NAME``:
    its target and its spec say so, so that it resumes as it began."""
    if d.name == "sqlite":
        source = "json_extract(options, '$.expand.source')"
        new_options = f"json_set(options, '$.expand.source', 'profile:' || substr({source}, 6))"
    else:
        source = "options->'expand'->>'source'"
        new_options = (
            f"jsonb_set(options, '{{expand,source}}', to_jsonb('profile:' || substr({source}, 6)))"
        )
    return [
        f"UPDATE jobs SET target = 'profile:' || substr(target, 6), options = {new_options} "
        f"WHERE kind = 'expand' AND target LIKE 'user:%' AND {source} LIKE 'user:%'"
    ]
