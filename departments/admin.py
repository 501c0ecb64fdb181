from django.contrib import admin

from .models import Department, DepartmentAlias, Jurisdiction


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
    list_display = ["name", "kind", "jurisdiction", "alias_list"]
    list_filter = ["kind", "jurisdiction"]
    search_fields = ["name", "aliases__name"]
    inlines = [DepartmentAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("jurisdiction").prefetch_related("aliases")

    @admin.display(description=DepartmentAlias._meta.verbose_name_plural)
    def alias_list(self, obj):
        return "、".join(a.name for a in obj.aliases.all())
