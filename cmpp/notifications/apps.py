from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cmpp.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Imported once the models are loaded: the check reads the outbox.
        from cmpp.core.health import health_check_register
        from cmpp.notifications.health import check_outbox

        health_check_register("emails", check_outbox)
