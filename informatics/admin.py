"""The administration site for the kernel's records.

The admin site is a back office for users with the admin role (the services give that role
is_staff and is_superuser). Business records change through the services, so every change is
audited: facilities are edited here through `facility_create` / `facility_update`; priorities,
people and site settings have their own pages (with optimistic locking and history), so here
they are read-only, as are job runs and audit events.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from informatics import services
from informatics.admin_lists import Listing, register_listings
from informatics.choices import ROLE_ORDER, Role
from informatics.models import (
    AuditEvent,
    Facility,
    GroupRoleMapping,
    IdentityLink,
    JobRun,
    PinnedRole,
    SiteSettings,
    StrategicPriority,
    User,
)
from informatics.permissions import Action, can
from informatics.web import ReadOnlyAdmin

admin.site.site_header = "Informatics Portal administration"
admin.site.site_title = "Informatics Portal administration"


def _admin_role_only(request: HttpRequest) -> bool:
    """The back office is for users holding the admin role (DESIGN.md's table), whatever
    their is_staff flag says."""
    return can(request.user, Action.ADMINISTER)


admin.site.has_permission = _admin_role_only  # type: ignore[method-assign]


class FacilityAdminForm(forms.ModelForm):
    class Meta:
        model = Facility
        fields = ["code", "name", "kind", "parent", "beds", "is_active"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "kind" in cleaned and not self.has_error("parent"):
            try:
                services.facility_check(
                    kind=cleaned["kind"],
                    parent=cleaned.get("parent"),
                    facility=self.instance if self.instance.pk else None,
                )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    self.add_error(name if name in self.fields else None, messages)
        return cleaned


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    form = FacilityAdminForm
    list_display = ("name", "code", "kind", "parent", "beds", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    ordering = ("name",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # requests and measurements refer to facilities: deactivate instead

    def save_model(self, request: HttpRequest, obj: Facility, form: Any, change: bool) -> None:
        actor = request.user
        assert isinstance(actor, User)
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if change:
            # The form has already copied the new values onto `obj`: diff against the row.
            stored = Facility.objects.get(pk=obj.pk)
            services.facility_update(actor=actor, facility=stored, **fields)
        else:
            fields.pop("is_active")
            created = services.facility_create(actor=actor, **fields)
            obj.pk = created.pk


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("email", "full_name", "role_list", "is_active", "last_login")
    list_filter = ("is_active", "groups")
    search_fields = ("email", "full_name")
    exclude = ("password", "user_permissions")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def role_list(self, user: User) -> str:
        names = {group.name for group in user.groups.all()}
        return ", ".join(str(Role(role).label) for role in ROLE_ORDER if role in names)


register_listings(
    {
        SiteSettings: Listing(("organisation_name", "time_zone", "currency", "updated_at")),
        StrategicPriority: Listing(
            ("title", "code", "value_category", "rank", "is_active", "version"),
            filters=("is_active", "value_category"),
            search=("title", "code"),
        ),
        JobRun: Listing(
            ("kind", "status", "attempts", "progress_done", "progress_total", "created_at"),
            filters=("status", "kind"),
        ),
        AuditEvent: Listing(
            ("at", "action", "object_repr", "content_type", "actor"),
            filters=("action", "content_type"),
            search=("object_repr", "object_id"),
            dates="at",
        ),
    }
)


# --- Single sign-on: the admin edits which groups give which roles, and pins roles on people.


class AdminRoleSees(admin.ModelAdmin):
    """Rows that the admin role sees here, by its role (DESIGN.md's table), whatever Django's
    model permissions say."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _admin_role_only(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _admin_role_only(request)


class AdminRoleEdits(AdminRoleSees):
    """Settings rows that the admin role also edits here, by its role."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _admin_role_only(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _admin_role_only(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _admin_role_only(request)


@admin.register(GroupRoleMapping)
class GroupRoleMappingAdmin(AdminRoleEdits):
    """Identity-provider groups → portal roles, applied at each sign-in. While this has no
    row, OIDC_GROUP_ROLES from the environment is the mapping."""

    list_display = ("group", "role")
    list_filter = ("role",)
    search_fields = ("group",)


@admin.register(PinnedRole)
class PinnedRoleAdmin(AdminRoleEdits):
    """Roles that signing in through the provider never removes from a person."""

    list_display = ("user", "role")
    list_filter = ("role",)
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    search_fields = ("user__email", "user__full_name")


@admin.register(IdentityLink)
class IdentityLinkAdmin(AdminRoleSees, ReadOnlyAdmin):
    """Whom the provider confirmed, and when: made and re-checked by signing in only."""

    list_display = ("user", "issuer", "subject", "checked_at")
    search_fields = ("user__email", "subject")
    exclude = ("refresh_token",)
