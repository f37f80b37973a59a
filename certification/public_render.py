"""The public certificate page and Open Badges JSON rendered once per ETag in
each web process, not once per view.

The ETag (public_views._etag) hashes everything these answers show that can
change: the printed fields, the status a visitor sees, the language, the site
URL. So a body stored under an ETag is the same body whoever asks and
whenever: the memo is a pure cache of a function of its key, never state a
status change would need to reach (a suspend changes the ETag, and the next
view renders afresh in every process). The templates and static URLs are
fixed for the life of a process.

What differs per request is filled in after: the CSRF token of the language
switcher (masked afresh each time) and the path the switcher returns to. Only
anonymous visitors with no pending messages get the memo: a signed-in user's
navigation names them."""

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.utils.html import escape

MAX_ENTRIES = 2000  # about 6 KB each: a few MB per process at most

# Stand-ins rendered into the stored page, replaced per response. Random per
# process, so no certificate's text can contain one.
_CSRF = f"csrf-{secrets.token_hex(16)}"
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
    """Context overrides for rendering the shared page: stand-ins for what
    changes per request."""
    return {"csrf_token": _CSRF, "switcher_next": _PATH}


def personalized(body: bytes, request) -> bytes:
    """The shared page with this request's CSRF token and path."""
    return body.replace(_CSRF.encode(), get_token(request).encode()).replace(
        _PATH.encode(), escape(request.get_full_path()).encode()
    )
