"""`make demo`: the main job, offline: the emulator over HTTP, a page of #magic through tokarc."""

from __future__ import annotations

import tokarc
from tokarc.emulator import Emulator, serve_in_thread


def main() -> None:
    with (
        serve_in_thread(Emulator(seed=0)) as base_url,
        tokarc.Client("demo-token", base_url=base_url) as client,
    ):
        print(f"emulator serving the EnsembleData API at {base_url}")
        page = next(client.tiktok.iter_hashtag_posts("magic", max_items=20).iter_pages())
        for post in page.items[:5]:
            print(
                f"  {post.aweme_id}  @{post.author_unique_id:<20} {post.play_count or 0:>10,} plays"
            )
        print(
            f"#magic: {len(page.items)} posts on the first page, nextCursor={page.next_cursor}, "
            f"{page.response.units_charged} unit(s) charged"
        )


if __name__ == "__main__":
    main()
