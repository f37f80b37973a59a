"""The public certificate page and Open Badges JSON rendered once per ETag in
each web process, not once per view.

The ETag (public_views._etag) hashes everything these answers show that can
change: the printed fields, the status a visitor sees, the language, the site
URL. So a body stored under an ETag is the same body whoever asks and
whenever: the memo is a pure cache of a function of its key, never state a
status change would need to reach (a suspend changes the ETag, and the next
view renders afresh in every process). The templates and static URLs are
fixed for the life of a process.

What differs per request is filled in after: the path the language switcher
returns to (an anonymous visitor's switcher has no CSRF token: see
members.views.set_language). Only anonymous visitors with no pending messages
get the memo: a signed-in user's navigation names them, and their switcher
carries a token."""

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.utils.html import escape

MAX_ENTRIES = 2000  # about 6 KB each: a few MB per process at most

# The stand-in rendered into the stored page, replaced per response. Random
# per process, so no certificate's text can contain it.
_PATH = f"path-{secrets.token_hex(16)}"

_bodies: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_lock = threading.Lock()


def memoized(kind: str, etag: str, render: Callable[[], bytes]) -> bytes:
    """The body stored under (kind, etag), rendered by render() when missing."""
    key = (kind, etag)
    with _lock:
        body = _bodies.get(key)
        if body is not None:
            _bodies.move_to_end(key)
            return body
    body = render()
    with _lock:
        _bodies[key] = body
        while len(_bodies) > MAX_ENTRIES:
            _bodies.popitem(last=False)
    return body


def forget_all() -> None:
    with _lock:
        _bodies.clear()


def shareable(request) -> bool:
    """Whether this request may get the shared page: an anonymous visitor with
    no message waiting to be shown."""
    return not request.user.is_authenticated and not len(get_messages(request))


def shared_context() -> dict:
    """Context overrides for rendering the shared page: a stand-in for what
    changes per request."""
    return {"switcher_next": _PATH}


def personalized(body: bytes, request) -> bytes:
    """The shared page with this request's path."""
    return body.replace(_PATH.encode(), escape(request.get_full_path()).encode())
