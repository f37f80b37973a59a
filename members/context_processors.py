from allauth.account.adapter import get_adapter
from django.utils.functional import SimpleLazyObject

from .roles import roles_for


def roles(request):
    # Lazy: pages that never show the role switcher make no role queries.
    return {"roles": SimpleLazyObject(lambda: roles_for(request.user))}


def signup(request):
    # Whether to offer sign-up at all (the login page says how accounts are
    # made when it is closed): the account adapter decides.
    return {"signup_open": SimpleLazyObject(lambda: get_adapter(request).is_open_for_signup(request))}
