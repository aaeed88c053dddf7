"""Every inferred ([I]) fact of ``shared/API.md`` lives here, and only here.

API.md marks with [I] what no EnsembleData source confirms: page sizes nobody documented, unit
costs, the shape of the least documented endpoints. The endpoint table, the emulator and the
cost estimator read these names, so correcting a guess against the live API's "Sample Response"
panels is a one-line change in this file.
"""

from __future__ import annotations

# --- page sizes --------------------------------------------------------------------------------
# Documented ([C]): hashtag/keyword ~20, user posts 10 per depth chunk, comments/replies 30,
# followers/followings 100. The others are guesses.
MUSIC_SEARCH_PAGE_SIZE = 10  # [I] TikTok music search shows ~10-20
MUSIC_POSTS_PAGE_SIZE = 20  # [I] ~20-30
LIKED_POSTS_PAGE_SIZE = 30  # [I] ~20-30
USER_SEARCH_PAGE_SIZE = 10  # [I] ~10-20
LIVE_SEARCH_PAGE_SIZE = 20  # [I] follows the hashtag/keyword pattern

# --- response shapes ---------------------------------------------------------------------------
USER_SEARCH_LIST_KEY = "users"  # [I] third-party code disagrees: "users" or "user_list"
USER_SEARCH_ITEM_WRAPPER = "user_info"  # [I] TikTok's native `user_list[].user_info`
LIVE_SEARCH_LIST_KEY = "data"  # [I] no source at all for /tt/live/search
LIVE_ITEM_WRAPPER = "lives"  # [I] TikTok's live search wraps the room in `lives`
FOLLOWERS_HAVE_PAGE_TOKEN = True  # [I] SDK 0.2.11 sends page_token to followers too

# --- unit costs --------------------------------------------------------------------------------
# Only two costs are documented: keyword search with author stats costs 1 + returned posts, and
# the full hashtag search is "divided by 4" (a 75 % discount over paging by hand).
DEFAULT_CALL_COST = 1  # [I] 1 unit per simple call
FULL_SEARCH_DISCOUNT = 4  # [C, old] ceil(internal pages / 4)
USER_POSTS_COST_PER_DEPTH = 1  # [I] "depth = number of requests the API will send in sequence"
MULTI_POST_INFO_COST = 1  # [I] per call, whatever the number of ids
ERROR_COST = 0  # [I] errors cost nothing unless stated
USAGE_COST = 0  # [I] asking how many units you used is free

# --- server-side defaults and caps -------------------------------------------------------------
FULL_HASHTAG_DEFAULT_DAYS = 180  # [I] the guide calls full_hashtag_search without `days`
HASHTAG_CAP_RANGE = (4000, 5000)  # [C] "very popular hashtags tend to have a maximum of 4000-5000"
FOLLOWERS_CAP = 5000  # [C] only the most recent 5000 followers can be fetched
MAX_POST_IDS = 100  # [C] more than 100 ids -> 464
# [I] TikTok's username rule (letters, digits, '_', '.'; 1-24); a name outside it is not a user
# the API can look up: 463 INVALID_USER, where a well-formed unknown name is 473 USER_NOT_FOUND.
USERNAME_PATTERN = r"[A-Za-z0-9_.]{1,24}"
FULL_KEYWORD_MAX_PAGES = 250  # [I] analogous to the full hashtag search's ~250 internal calls
