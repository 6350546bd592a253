"""Each section's home and its planned pages, routed and guarded by the section's role.

A planned page (`navigation.Page(built=False)`) answers with what it will
do and which /admin/graphql fields serve the need meanwhile; the engineer
who builds it registers its handler in a module of its own and marks it
built. Either way the guard is the section's: an auditor cannot open an
officer's page, nor an officer an auditor's, before or after.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hub.console.guards import PageRequest, for_roles
from hub.console.navigation import SECTIONS, Page, Section


def _home(section: Section) -> Route:
    @for_roles(section.role)
    async def home(page: PageRequest) -> Response:
        return page.render("section_home.html", title=section.title, home=section)

    return Route(f"/{section.slug}/", home, methods=["GET"], name=f"{section.slug}-home")


def _planned(section: Section, planned: Page) -> Route:
    @for_roles(section.role)
    async def placeholder(page: PageRequest) -> Response:
        return page.render("planned.html", title=planned.label, planned=planned, home=section)

    return Route(
        f"/{section.slug}/{planned.slug}",
        placeholder,
        methods=["GET"],
        name=f"{section.slug}-{planned.slug}",
    )


def section_routes() -> list[Route]:
    """Every section's home (unless a page of its own is the home) and planned pages."""
    routes: list[Route] = []
    for section in SECTIONS:
        if not any(page.slug == "" for page in section.pages):
            routes.append(_home(section))
        routes += [_planned(section, page) for page in section.pages if not page.built]
    return routes
