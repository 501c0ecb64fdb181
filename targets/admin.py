from django.contrib import admin

from .models import Area, Plan, PlanSection, Responsibility, Task


class PlanSectionInline(admin.StackedInline):
    model = PlanSection
    extra = 0


class AreaInline(admin.TabularInline):
    model = Area
    fields = ["order", "kind", "number", "title"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "jurisdiction", "issued_on", "status"]
    list_filter = ["status", "jurisdiction"]
    search_fields = ["title", "code"]
    readonly_fields = ["imported_at"]
    inlines = [PlanSectionInline, AreaInline]


class TaskInline(admin.TabularInline):
    model = Task
    fields = ["number", "title"]
    extra = 0
    show_change_link = True


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "kind", "order", "number"]
    list_filter = ["plan", "kind"]
    search_fields = ["title"]
    inlines = [TaskInline]


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    fields = ["order", "role", "department", "name_as_written"]
    autocomplete_fields = ["department"]
    extra = 0


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "area", "lead_department"]
    list_display_links = ["code", "title"]
    list_filter = ["area__plan", "area"]
    search_fields = ["title", "body", "responsibilities__department__name"]
    inlines = [ResponsibilityInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("area")
            .prefetch_related("responsibilities__department")
            .distinct()
        )

    @admin.display(description=Responsibility.Role.LEAD.label)
    def lead_department(self, obj):
        lead = obj.lead
        return lead.department if lead else ""


@admin.register(Responsibility)
class ResponsibilityAdmin(admin.ModelAdmin):
    list_display = ["task", "department", "role", "order", "name_as_written"]
    list_filter = ["role", "department__kind", "task__area"]
    search_fields = ["department__name", "name_as_written", "task__title"]
    autocomplete_fields = ["department"]
    list_select_related = ["task__area", "department"]
