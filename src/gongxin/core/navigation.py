"""The main menu. Each app registers its entries in AppConfig.ready()."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    order: int
    admin_only: bool = False

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    @property
    def section(self) -> str:
        """The first path segment, to mark the current section."""
        return self.url.strip("/").split("/")[0]


MENU: list[MenuItem] = []


def register_menu(label, url_name: str, *, order: int, admin_only: bool = False) -> None:
    MENU.append(MenuItem(label, url_name, order, admin_only))
    MENU.sort(key=lambda item: item.order)
