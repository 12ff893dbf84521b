from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cmpp.accounts"
    label = "accounts"
    verbose_name = "Accounts and organisations"
