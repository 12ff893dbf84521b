"""Pagination shaped for the GOV.UK pagination component."""

from django.conf import settings
from django.core.paginator import Page, Paginator


def paginate(request, queryset, per_page: int | None = None, *, load=None) -> Page:
    """The page asked for by `?page=`, falling back to the first or last page for bad numbers.

    With `load`, the paginator counts `queryset` and slices its ids in its order (which must be
    total: end it with the primary key), with none of its annotations; `load(ids)` then reads
    only that page's rows, with whatever each row shows that is costly to work out, in one
    query (`ids` is the page's slice as a subquery). A long list pays for one page, not for
    every row."""
    if load is None:
        paginator = Paginator(queryset, per_page or settings.CMPP_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
    else:
        paginator = Paginator(
            queryset.values_list("pk", flat=True), per_page or settings.CMPP_PAGE_SIZE
        )
        page = paginator.get_page(request.GET.get("page"))
        order = queryset.query.order_by or queryset.model._meta.ordering
        page.object_list = list(load(page.object_list).order_by(*order))
    page.page_links = _page_links(request, page)
    page.previous_href = _href(request, page.number - 1)
    page.next_href = _href(request, page.number + 1)
    page.previous_link = _PageLink(page, "previous_href") if page.has_previous() else None
    page.next_link = _PageLink(page, "next_href") if page.has_next() else None
    return page


class _PageLink:
    """The previous or next link as govuk-frontend's pagination macro reads it (`link.href`),
    which a template cannot build. The address is read from the page as it renders, so a view
    may still change `previous_href` or `next_href` after paginating (networks' councils tab)."""

    def __init__(self, page: Page, attribute: str):
        self._page, self._attribute = page, attribute

    @property
    def href(self) -> str:
        return getattr(self._page, self._attribute)


def _page_links(request, page: Page) -> list[dict]:
    """Numbered links with ellipses: first, last, and the current page's neighbours."""
    links, previous = [], 0
    for number in range(1, page.paginator.num_pages + 1):
        near = abs(number - page.number) <= 1
        if number in (1, page.paginator.num_pages) or near:
            if number - previous > 1:
                links.append({"ellipsis": True})
            links.append(
                {"number": number, "href": _href(request, number), "current": number == page.number}
            )
            previous = number
    return links


def _href(request, number: int) -> str:
    params = request.GET.copy()
    params["page"] = number
    return f"?{params.urlencode()}"
