from django.utils.functional import SimpleLazyObject

from .roles import roles_for


def roles(request):
    # Lazy: pages that never show the role switcher make no role queries.
    return {"roles": SimpleLazyObject(lambda: roles_for(request.user))}
