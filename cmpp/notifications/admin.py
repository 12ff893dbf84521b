from django.contrib import admin

from cmpp.notifications.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["to_email", "purpose", "status", "attempts", "sent_at", "created_at"]
    list_filter = ["status", "purpose"]
    search_fields = ["to_email", "key", "subject"]
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]
