"""The imports and exports that the web UI and the `gongxin import` / `gongxin export`
commands know. Apps register theirs in AppConfig.ready(); a new import is a few lines
there, not a new view or command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from gongxin.core.tabular.importing import Importer


@dataclass(frozen=True)
class ImportSpec:
    kind: str
    label: Any  # shown to users
    importer: type[Importer]
    write_template: Callable[[IO[bytes]], None]
    can_import: Callable[[Any], bool]
    template_name: str  # file name of the template download
    back_url: str = ""  # URL name of the list the import feeds


@dataclass(frozen=True)
class ExportSpec:
    kind: str
    write: Callable[..., int]  # write(target, *, user, filters=None) -> rows written


IMPORTS: dict[str, ImportSpec] = {}
EXPORTS: dict[str, ExportSpec] = {}


def register_import(spec: ImportSpec) -> None:
    IMPORTS[spec.kind] = spec


def register_export(kind: str, write: Callable[..., Any]) -> None:
    EXPORTS[kind] = ExportSpec(kind, write)
