from django.contrib import admin

from .models import Department, DepartmentAlias, Jurisdiction, Membership


class DepartmentAliasInline(admin.TabularInline):
    model = DepartmentAlias
    fields = ["name"]
    extra = 0


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "requires_head_signoff", "jurisdiction", "alias_list"]
    list_filter = ["kind", "requires_head_signoff", "jurisdiction"]
    search_fields = ["name", "aliases__name"]
    inlines = [DepartmentAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("jurisdiction").prefetch_related("aliases")

    @admin.display(description=DepartmentAlias._meta.verbose_name_plural)
    def alias_list(self, obj):
        return "、".join(a.name for a in obj.aliases.all())


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "role"]
    list_filter = ["role", "department__kind"]
    search_fields = ["user__username", "user__first_name", "department__name"]
    autocomplete_fields = ["department", "user"]
    list_select_related = ["user", "department"]
