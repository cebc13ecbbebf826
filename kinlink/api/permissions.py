from rest_framework.permissions import BasePermission

from kinlink.accounts.roles import may_read_audit, needs_two_factor
from kinlink.audit.context import actor_for, replace_actor


class IsActiveStaffMember(BasePermission):
    """Any logged-in, active user; two-factor roles only from a verified session or a token
    issued from one. Also makes the API caller the actor of audit entries."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        replace_actor(actor_for(user, request.META.get("REMOTE_ADDR")))
        if needs_two_factor(user.role) and request.auth is None:
            return bool(getattr(request._request.user, "is_verified", lambda: False)())
        return True


class CanReadAudit(IsActiveStaffMember):
    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and may_read_audit(request.user.role)
