from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cmpp.notifications"
    label = "notifications"
    verbose_name = "Notifications"
