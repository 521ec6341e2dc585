"""Saved searches: a list filter that may hold an ID or phone number never travels in a URL.

A URL ends up in the access log, the browser's history and other sites' Referer headers. The list pages' filter
form is therefore sent by POST; the values that look like a personal number are kept in the user's session
(encrypted like the numbers in the database, core.pii) under a short random id, and the browser is redirected
(303) to `?s=<id>` with the other, harmless parameters — paging, sorting and export links then carry the id only.
An old bookmark or a script that still GETs `?q=<number>` is redirected the same way (that one request's URL is
already written; every later one is clean). An id from another session, another user or older than
`SQDJ_SAVED_SEARCH_SECONDS` is not found: the page says to search again.

The API cannot keep a session: there a search by number is `POST …/search/` (core.search_api).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponseRedirect, QueryDict

from . import pii

# A run of 7 or more digits: a phone number, an ID number (17 digits and a check character) or a piece of one.
# ASCII digits only, the same in Python and in the OpenAPI pattern (core.search_api), which is ECMA-262.
PERSONAL_RUN = "[0-9]{7}"
_PERSONAL = re.compile(PERSONAL_RUN)

PARAM = "s"  # the saved search's id in the URL
SESSION_KEY = "sqdj_saved_searches"
MAX_SAVED = 20  # per session: the oldest goes first
# parameters that are never a filter value (they may stay in the URL as they are)
NOT_FILTERS = frozenset({PARAM, "page", "sort", "per_page", "export", "csrfmiddlewaretoken"})


# A search by the last 4 digits of an ID or phone number (members.filtersets): a piece of a number, kept out of
# URLs too — but only as the search box's whole value (`q`), not as a code or a count in another filter.
# a search by the last 4 characters of an ID number or digits of a phone number (members' suffix indexes)
SUFFIX_SEARCH = r"\s*[0-9]{3}[0-9Xx]\s*"
_SUFFIX = re.compile(f"^{SUFFIX_SEARCH}$")
SEARCH_PARAM = "q"


def looks_personal(value: str | None) -> bool:
    """Whether a value may be (part of) an ID or phone number."""
    return bool(value and _PERSONAL.search(value))


def looks_like_suffix(value: str | None) -> bool:
    """Whether a search is by the last 4 digits of a personal number."""
    return bool(value and _SUFFIX.match(value))


def _private(key: str, value: str) -> bool:
    return looks_personal(value) or (key == SEARCH_PARAM and bool(_SUFFIX.match(value)))


def _new_id() -> str:
    while True:  # 8 characters of [A-Za-z0-9_-]; never a run of digits that would itself look personal
        sid = secrets.token_urlsafe(6)
        if not looks_personal(sid):
            return sid


def _ttl() -> int:
    return settings.SQDJ_SAVED_SEARCH_SECONDS


def save(request, params: dict[str, list[str]]) -> str:
    """Keep `params` (name → values) for this user and session; returns the id for `?s=`."""
    store = dict(request.session.get(SESSION_KEY) or {})
    now = time.time()
    # drop what has expired, then the oldest beyond the cap
    store = {k: v for k, v in store.items() if isinstance(v, list) and len(v) == 2 and now - v[0] < _ttl()}
    while len(store) >= MAX_SAVED:
        store.pop(next(iter(store)))
    sid = _new_id()
    body = json.dumps({"user": request.user.pk, "params": params}, ensure_ascii=False)
    store[sid] = [now, pii.encrypt(body)]
    request.session[SESSION_KEY] = store
    return sid


def load(request, sid: str) -> dict[str, list[str]] | None:
    """The parameters saved under `sid` in this session for this user; None if unknown, expired or not theirs."""
    entry = (request.session.get(SESSION_KEY) or {}).get(sid)
    if not isinstance(entry, list) or len(entry) != 2 or time.time() - entry[0] >= _ttl():
        return None
    try:
        body = json.loads(pii.decrypt(entry[1]))
    except Exception:  # noqa: BLE001 (a key rotated away, a tampered session: the search is gone)
        return None
    if body.get("user") != request.user.pk:
        return None
    return {str(k): [str(v) for v in vs] for k, vs in body.get("params", {}).items()}


def split(query: QueryDict) -> tuple[QueryDict, dict[str, list[str]]]:
    """(what may stay in the URL, what must not): a parameter with a value that looks personal (or a search by the
    last 4 digits) goes whole to the second. Empty values are dropped (an unfilled field of the form)."""
    public = QueryDict(mutable=True)
    private: dict[str, list[str]] = {}
    for key, values in query.lists():
        values = [v for v in values if v != ""]
        if not values:
            continue
        if key not in NOT_FILTERS and any(_private(key, v) for v in values):
            private[key] = values
        else:
            public.setlist(key, values)
    return public, private


@dataclass
class Search:
    """A list page's query once the saved search is read: `params` to filter and export with (it may hold
    numbers: never put it in a URL), or `redirect` to send the browser to, with a message when `expired`."""

    params: QueryDict
    redirect: str | None = None
    expired: bool = False


def _url(path: str, query: QueryDict) -> str:
    text = query.urlencode()
    return f"{path}?{text}" if text else path


def resolve(request) -> Search:
    """Read a list page's GET: a number in the URL → save it and redirect; `?s=` → its saved values with the
    URL's other parameters; an unusable `?s=` → redirect without it, saying the search has expired."""
    public, private = split(request.GET)
    sid = public.get(PARAM)
    saved: dict[str, list[str]] = {}
    if sid:
        found = load(request, sid)
        if found is None:
            public.pop(PARAM)
            return Search(params=public, redirect=_url(request.path, public), expired=True)
        saved = found
    if private:  # a number in the URL: moved into the session (merged with what `s` held)
        public[PARAM] = save(request, {**saved, **private})
        return Search(params=public, redirect=_url(request.path, public))
    params = public.copy()
    params.pop(PARAM, None)
    for key, values in saved.items():
        params.setlist(key, values)
    return Search(params=params)


def redirect_for_post(request) -> str:
    """Where a list's filter form (POST) leads: its values, the harmless ones in the URL and the others saved,
    keeping the list's sort order; a new search starts on page 1."""
    public, private = split(request.POST)
    for key in ("sort", "per_page"):
        if key in request.GET and key not in public:
            public.setlist(key, request.GET.getlist(key))
    for key in (PARAM, "page", "export", "csrfmiddlewaretoken"):
        public.pop(key, None)
    if private:
        public[PARAM] = save(request, private)
    return _url(request.path, public)


def see_other(url: str) -> HttpResponseRedirect:
    """303: the browser follows with a GET, and the back button does not post the form again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


# --- Lists that remember (issue 14) ------------------------------------------------------------------------------
# Each list's last filters and sort (not its page) are kept per user and list, server-side in the session (signed
# out: gone, as the saved searches are), encrypted like them: they may hold a number searched for. The list's bare
# URL — its menu link — opens them again (core.views.ObjectListView): the harmless values back in the URL, the others
# under a fresh `?s=`. A URL with any parameter shows exactly what it says and becomes the remembered state; the
# filter form's reset button forgets it.

LISTS_KEY = "sqdj_list_state"
MAX_LISTS = 50  # lists remembered per session: the least recently changed goes first
NOT_REMEMBERED = frozenset({PARAM, "page", "export", "reveal_reason", "csrfmiddlewaretoken", "reset"})


def _state(params: QueryDict) -> dict[str, list[str]]:
    state = {}
    for key, values in params.lists():
        values = [v for v in values if v != ""]
        if key not in NOT_REMEMBERED and values:
            state[key] = values
    return state


def _entry(request, list_key: str):
    entry = (request.session.get(LISTS_KEY) or {}).get(list_key)
    return entry if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], str) else None


def recall(request, list_key: str) -> dict[str, list[str]]:
    """The filters and sort kept for this user's list `list_key` ({} when none, or not theirs). A value that looks
    personal is kept no longer than a saved search (`SQDJ_SAVED_SEARCH_SECONDS`): after that, the harmless rest."""
    entry = _entry(request, list_key)
    if entry is None:
        return {}
    try:
        body = json.loads(pii.decrypt(entry[1]))
    except Exception:  # noqa: BLE001 (a key rotated away, a tampered session: nothing remembered)
        return {}
    if body.get("user") != request.user.pk:
        return {}
    state = {str(k): [str(v) for v in vs] for k, vs in body.get("params", {}).items()}
    if time.time() - entry[0] >= _ttl():
        state = {k: vs for k, vs in state.items() if k in NOT_FILTERS or not any(_private(k, v) for v in vs)}
    return state


def remember(request, list_key: str, params: QueryDict) -> None:
    """Keep `params` (a list's query, numbers included) as the list's state; the session is written only when the
    state changes (a list paged through or opened again costs no write)."""
    state = _state(params)
    if state == recall(request, list_key):
        return
    store = dict(request.session.get(LISTS_KEY) or {})
    store.pop(list_key, None)
    if state:
        while len(store) >= MAX_LISTS:
            store.pop(next(iter(store)))
        body = json.dumps({"user": request.user.pk, "params": state}, ensure_ascii=False)
        store[list_key] = [time.time(), pii.encrypt(body)]
    request.session[LISTS_KEY] = store


def forget(request, list_key: str) -> None:
    store = dict(request.session.get(LISTS_KEY) or {})
    if store.pop(list_key, None) is not None:
        request.session[LISTS_KEY] = store


def restore_url(request, list_key: str) -> str | None:
    """Where the list's bare URL leads: its remembered filters and sort (a number under a new `?s=`), or None."""
    state = recall(request, list_key)
    if not state:
        return None
    query = QueryDict(mutable=True)
    for key, values in state.items():
        query.setlist(key, values)
    public, private = split(query)
    if private:
        public[PARAM] = save(request, private)
    return _url(request.path, public)
