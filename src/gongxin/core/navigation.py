"""The main menu. Each app registers its entries in AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    order: int
    admin_only: bool = False
    #: Who sees the entry (None: every signed-in user).
    shown_to: Callable[[Any], bool] | None = None

    def visible(self, user) -> bool:
        if self.admin_only and not user.is_admin:
            return False
        return self.shown_to is None or self.shown_to(user)

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    @property
    def section(self) -> str:
        """The first path segment, to mark the current section."""
        return self.url.strip("/").split("/")[0]


MENU: list[MenuItem] = []


def register_menu(
    label,
    url_name: str,
    *,
    order: int,
    admin_only: bool = False,
    shown_to: Callable[[Any], bool] | None = None,
) -> None:
    MENU.append(MenuItem(label, url_name, order, admin_only, shown_to))
    MENU.sort(key=lambda item: item.order)
