"""The form to share a resource with a network: a title, a description and tags, and either a
file or a link. The file itself is checked by the service (networks.resources)."""

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError

from cmpp.core.forms import GovukForm, GovukTextField, max_length_of
from networks.models import NetworkResource


class ResourceForm(GovukForm):
    FILE = "file"
    LINK = "link"

    title = GovukTextField(
        noun="Title", label="Title", max_length=max_length_of(NetworkResource, "title")
    )
    description = GovukTextField(
        noun="Description",
        label="Description (optional)",
        required=False,
        max_length=max_length_of(NetworkResource, "description"),
        widget=forms.Textarea,
        help_text="What it is and how it helps, in a sentence or two.",
    )
    tags = GovukTextField(
        noun="Tags",
        label="Tags (optional)",
        required=False,
        max_length=max_length_of(NetworkResource, "tags"),
        help_text="Separate tags with commas, for example: KPIs, supplier meetings",
    )
    kind = forms.ChoiceField(
        label="What are you sharing?",
        choices=[(FILE, "A file"), (LINK, "A link")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you are sharing a file or a link"},
    )
    # The file's own checks (type by content, size, empty) are the service's; an empty file is
    # let through here so the service refuses it in its words.
    file = forms.FileField(label="Upload a file", required=False, allow_empty_file=True)
    url = forms.CharField(
        label="Link",
        required=False,
        max_length=max_length_of(NetworkResource, "url"),
        help_text="The full web address, for example https://www.gov.uk/government/publications",
    )

    def clean(self):
        """Only the field the radios chose counts: the other is ignored, as it is hidden."""
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == self.FILE:
            cleaned["url"] = ""
            if not cleaned.get("file") and "file" not in self.errors:
                self.add_error("file", "Select a file")
        elif kind == self.LINK:
            cleaned["file"] = None
            self.errors.pop("file", None)
            if "url" not in self.errors:
                self._clean_link(cleaned)
        return cleaned

    def _clean_link(self, cleaned):
        """A web address people can follow: http or https, "https://" added when left off."""
        text = (cleaned.get("url") or "").strip()
        if not text:
            self.add_error("url", "Enter a link")
            return
        message = "Enter a link in the correct format, like https://www.example.com"
        try:
            url = forms.URLField(assume_scheme="https").clean(text)
        except ValidationError:
            self.add_error("url", message)
            return
        if urlsplit(url).scheme not in ("http", "https"):
            self.add_error("url", message)
            return
        cleaned["url"] = url
