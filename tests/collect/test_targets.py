"""One vocabulary of KIND:TARGET (``tokarc.targets``): each word means the same to a watch, an
expansion and ``--source``; an expansion stored when ``user:`` meant the profile resumes as it
began."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tokarc
from tokarc._wiring import open_store
from tokarc.collect import ExpandSpec, JobSpec
from tokarc.emulator import Emulator
from tokarc.errors import InvalidInputError
from tokarc.monitor import WATCH_KINDS
from tokarc.targets import TARGETS, WORDS, source_of

from .conftest import client_for

EXAMPLES = {
    "hashtag": "magic",
    "keyword": "tesla",
    "user": "zachking",
    "sound": "7063948643480488709",
}


@pytest.mark.parametrize("word", [t.word for t in TARGETS if t.word in WATCH_KINDS])
def test_a_word_means_one_thing_to_a_watch_an_expansion_and_a_source(word: str) -> None:
    kind, target = WORDS[word], EXAMPLES[word]
    seed = ExpandSpec.build(f"{word}:{target}", ["authors"]).seed_spec()
    assert (WATCH_KINDS[word].job_kind, WATCH_KINDS[word].source_kind) == (
        kind.job_kind,
        kind.source_kind,
    )
    assert seed.kind == kind.job_kind
    assert source_of(f"{word}:{target}") == (kind.source_kind, target)


def test_user_is_the_posts_and_profile_the_account() -> None:
    assert ExpandSpec.build("user:zachking", ["authors"]).seed_spec().kind == "user_posts"
    assert ExpandSpec.build("profile:zachking", ["followers"]).seed_spec().kind == "user"
    assert source_of("user:zachking") == ("user_posts", "zachking")
    assert source_of("profile:zachking") == ("user", "zachking")
    assert source_of("music:7") == source_of("sound:7") == ("music_posts", "7")
    assert source_of("followers:zachking") == ("followers", "zachking")  # a stored source
    with pytest.raises(InvalidInputError, match="KIND one of"):
        source_of("nosuch:x", stored={"followers"})
    with pytest.raises(InvalidInputError, match="invalid source kind 'nosuch'"):
        ExpandSpec.build("nosuch:x", ["authors"])


def test_an_expansion_from_a_keyword_runs(emulator: Emulator, tmp_path: Path) -> None:
    """A keyword seed sends the period the API requires (it was refused before a request)."""
    with open_store(tmp_path / "k.db") as store, client_for(emulator) as client:
        report = tokarc.expand(client, store, "keyword:tesla", "authors", per_target=3)
    assert report.status == "done"
    assert report.units == emulator.stats.units_total > 1


def test_an_export_by_user_is_the_accounts_posts(emulator: Emulator, tmp_path: Path) -> None:
    from tokarc.collect import Collector
    from tokarc.dataset.export import export

    db = tmp_path / "u.db"
    with open_store(db) as store, client_for(emulator) as client:
        Collector(client, store).run(JobSpec.build("user_posts", "zachking", max_items=20))
        Collector(client, store).run(JobSpec.build("hashtag", "magic", max_items=20))
        by_word, by_name = tmp_path / "w.csv", tmp_path / "n.csv"
        export(store, "posts", by_word, "csv", source=source_of("user:zachking"))
        export(store, "posts", by_name, "csv", source=("user_posts", "zachking"))
    assert by_word.read_text() == by_name.read_text()
    assert by_word.read_text().count("\n") == 21  # the header and zachking's 20 posts


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_expansion_stored_with_a_user_seed_resumes_from_the_profile(
    emulator: Emulator, tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    db = str(tmp_path / "x.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    with open_store(db) as store, client_for(emulator) as client:
        tokarc.expand(client, store, "profile:zachking", "followers", per_target=2)
        [parent] = store.list_jobs(kind="expand")
        # as tokarc wrote it before the words had one meaning
        old = json.loads(json.dumps(parent.options).replace("profile:", "user:"))
        store.update_job(parent.id, options=old)
        store.db.execute("UPDATE jobs SET target = 'user:zachking' WHERE id = ?", (parent.id,))
        store.db.execute("DELETE FROM migrations WHERE name = 'expand.profile_seeds'")
    with open_store(db) as store:
        assert store.applied_migrations == ["expand.profile_seeds"]
        job = store.get_job(parent.id)
        assert job.target == "profile:zachking"
        spec = ExpandSpec.from_job(job)
        assert spec.seed_spec().kind == "user"  # the profile, as it began
        units = emulator.stats.units_total
        with client_for(emulator) as client:
            again = tokarc.expand(client, store, "profile:zachking", "followers", per_target=2)
        assert again.job_id == parent.id  # the same expansion, found by what the user writes
        assert emulator.stats.units_total == units  # done: nothing paid again
