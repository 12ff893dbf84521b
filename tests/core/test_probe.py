"""The containers' health checks (cmpp.core.probe): web's asks for the host the portal serves."""

import pytest

from cmpp.core import probe


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [
        ("cmpp.example.gov.uk,127.0.0.1", "cmpp.example.gov.uk"),
        (" cmpp.example.gov.uk , localhost", "cmpp.example.gov.uk"),
        (".example.gov.uk", "example.gov.uk"),  # a domain and its subdomains
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_web_health_asks_for_the_first_host_the_portal_serves(monkeypatch, allowed_hosts, host):
    monkeypatch.setenv("ALLOWED_HOSTS", allowed_hosts)
    assert probe._host() == host


def test_web_health_names_the_host_setting_when_django_refuses_the_request(monkeypatch):
    """A 400 page (a host not allowed) is not JSON: the reason says where to look."""

    class Refused:
        status = 400

        def read(self):
            return b"<h1>Bad Request (400)</h1>"

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setenv("ALLOWED_HOSTS", "cmpp.example.gov.uk")
    monkeypatch.setattr(probe.urllib.request, "urlopen", lambda request, timeout: Refused())
    assert "is 'cmpp.example.gov.uk' in ALLOWED_HOSTS?" in probe.web()
