from django.contrib import admin
from django.db.models import Count

from boards.admin_links import boards_and_meetings_html
from recommendations.models import Organisation, Ownership, ProgressUpdate, Recommendation


class OwnershipInline(admin.TabularInline):
    model = Ownership
    extra = 0
    autocomplete_fields = ["organisation"]


class ProgressUpdateInline(admin.StackedInline):
    model = ProgressUpdate
    extra = 1
    fields = ["date", "status", "text", "source", "published", "entered_by"]
    readonly_fields = ["entered_by"]
    ordering = ["-date", "-pk"]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["number", "short_text", "section", "status", "last_updated", "lead"]
    list_display_links = ["number", "short_text"]
    list_filter = ["status", "section", "owners"]
    search_fields = ["=number", "text", "updates__text"]
    readonly_fields = ["status", "last_updated", "boards_and_meetings"]
    fieldsets = [
        (None, {"fields": ["number", "section", "text", "made_on"]}),
        (
            "Current position",
            {
                "fields": ["status", "last_updated"],
                "description": "The status follows the latest published progress update: "
                "to change it, add a published update below.",
            },
        ),
        ("Related recommendations", {"fields": ["related"]}),
        ("Boards and meetings", {"fields": ["boards_and_meetings"]}),
    ]
    autocomplete_fields = ["related"]
    inlines = [OwnershipInline, ProgressUpdateInline]
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("ownerships__organisation")

    @admin.display(description="Recommendation")
    def short_text(self, obj: Recommendation) -> str:
        return obj.text if len(obj.text) <= 90 else obj.text[:87].rstrip() + "…"

    @admin.display(description="Oversight")
    def boards_and_meetings(self, obj: Recommendation) -> str:
        return boards_and_meetings_html(obj)

    @admin.display(description="Lead owner")
    def lead(self, obj: Recommendation) -> str:
        return str(obj.lead_owner or "")

    def save_formset(self, request, form, formset, change):
        if formset.model is ProgressUpdate:
            for update in formset.save(commit=False):
                if update.entered_by_id is None:
                    update.entered_by = request.user
                update.save()
            for update in formset.deleted_objects:
                update.delete()
            formset.save_m2m()
        else:
            super().save_formset(request, form, formset, change)


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["recommendation", "date", "status", "published", "source", "entered_by"]
    list_filter = ["published", "status", "date", "recommendation__section"]
    search_fields = ["=recommendation__number", "text", "source"]
    date_hierarchy = "date"
    autocomplete_fields = ["recommendation"]
    list_select_related = ["recommendation", "entered_by"]
    readonly_fields = ["entered_by", "created_at", "modified_at"]

    def save_model(self, request, obj, form, change):
        if obj.entered_by_id is None:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "slug", "recommendation_count"]
    search_fields = ["name", "acronym", "slug"]
    prepopulated_fields = {"slug": ["acronym"]}
    # Explicit, so that the annotated list (and the boards' autocomplete) stays ordered.
    ordering = ["name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(recommendation_count=Count("ownerships", distinct=True))
        )

    @admin.display(description="Recommendations owned", ordering="recommendation_count")
    def recommendation_count(self, obj: Organisation) -> int:
        return obj.recommendation_count
