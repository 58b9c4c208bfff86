"""The `gongxin` command: Django's management commands under the project's name.

`gongxin demo`, `gongxin serve`, `gongxin import …`, `gongxin export …`, `gongxin token …`
are management commands of the core and enterprises apps; every other Django command
(`gongxin migrate`, `gongxin shell -c …`) passes through unchanged.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "gongxin"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
