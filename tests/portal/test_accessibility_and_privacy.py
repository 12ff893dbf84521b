"""The accessibility statement and privacy notice: anyone can read them, signed in or not, and
every page's footer links to both."""

from html.parser import HTMLParser

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

CONTACT = "cmpp-team@communities.example.gov.uk"


class Outline(HTMLParser):
    """The headings of a page's main content by level, and the links in its footer (text ->
    href)."""

    def __init__(self):
        super().__init__()
        self.headings: dict[str, list[str]] = {"h1": [], "h2": [], "h3": []}
        self.footer_links: dict[str, str] = {}
        self._heading: str | None = None
        self._href: str | None = None
        self._text: list[str] = []
        self._in_main = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in_main = self._in_main or tag == "main"
        if tag in self.headings and self._in_main:
            self._heading, self._text = tag, []
        elif tag == "a" and "govuk-footer__link" in (attrs.get("class") or "").split():
            self._href, self._text = attrs.get("href"), []

    def handle_endtag(self, tag):
        text = " ".join("".join(self._text).split())
        if tag == "main":
            self._in_main = False
        if tag == self._heading:
            self.headings[tag].append(text)
            self._heading = None
        elif tag == "a" and self._href is not None:
            self.footer_links[text] = self._href
            self._href = None

    def handle_data(self, data):
        self._text.append(data)


def outline(response) -> Outline:
    parser = Outline()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def readers(cast):
    """Someone signed out, and each kind of person who signs in."""
    return {
        "anonymous": None,
        "learner": cast.learner_a_user,
        "sro": cast.sro_a,
        "viewer": cast.viewer,
        "staff": cast.staff,
        "no role": cast.nobody,
    }


READERS = ["anonymous", "learner", "sro", "viewer", "staff", "no role"]


def as_reader(client, readers, reader):
    if readers[reader] is not None:
        client.force_login(readers[reader])
    return client


@pytest.mark.parametrize("reader", READERS)
@override_settings(CMPP_PROGRAMME_CONTACT_EMAIL=CONTACT)
def test_everyone_can_read_the_accessibility_statement(client, readers, reader):
    response = as_reader(client, readers, reader).get("/accessibility/")

    assert response.status_code == 200
    page = outline(response)
    assert page.headings["h1"] == [
        "Accessibility statement for the Contract Management Pioneer Programme portal"
    ]
    # The model statement's sections, in its order.
    assert page.headings["h2"][:6] == [
        "How accessible the portal is",
        "Feedback and contact information",
        "Reporting accessibility problems with this portal",
        "Enforcement procedure",
        "Technical information about this portal's accessibility",
        "Non-accessible content",
    ]
    assert "Preparation of this accessibility statement" in page.headings["h2"]
    assert "Compliance status" in page.headings["h3"]
    text = response.text
    assert f'href="mailto:{CONTACT}"' in text
    assert "Equality Advisory and Support Service (EASS)" in text
    assert "Equality Commission for Northern Ireland (ECNI)" in text
    assert "partially compliant with the" in text
    assert "PDF/UA-1" in text
    assert "prepared on 1 December 2026" in text


@pytest.mark.parametrize("reader", READERS)
@override_settings(CMPP_PROGRAMME_CONTACT_EMAIL=CONTACT, CMPP_AT_RISK_WEEKS=6)
def test_everyone_can_read_the_privacy_notice(client, readers, reader):
    response = as_reader(client, readers, reader).get("/privacy/")

    assert response.status_code == 200
    page = outline(response)
    assert page.headings["h1"] == ["Privacy notice"]
    assert page.headings["h2"] == [
        "Who is responsible for your data",
        "What personal data we hold",
        "Where your data comes from",
        "Why we use it",
        "Who can see your data",
        "How long we keep it",
        "Cookies",
        "Your rights",
        "How to complain",
    ]
    text = response.text
    assert "is the controller" in text
    assert "as a processor" in text
    assert "Six years after a learner withdraws" in text
    assert "no progress for 6 weeks" in text  # the setting, not a number written in
    assert f'href="mailto:{CONTACT}"' in text
    assert "Information Commissioner's Office (ICO)" in text


@pytest.mark.parametrize(
    ("reader", "path"),
    [
        ("anonymous", "/accounts/login/"),
        ("anonymous", "/privacy/"),
        ("anonymous", "/no-such-page/"),
        ("learner", "/me/"),
        ("sro", "/"),
        ("staff", "/learners/"),
    ],
)
def test_every_page_footer_links_to_both(client, readers, reader, path):
    response = as_reader(client, readers, reader).get(path)

    assert response.status_code in (200, 404)
    links = outline(response).footer_links
    assert links["Accessibility statement"] == "/accessibility/"
    assert links["Privacy"] == "/privacy/"


def test_the_pages_only_answer_get(client):
    assert client.post("/accessibility/").status_code == 405
    assert client.post("/privacy/").status_code == 405
