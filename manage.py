#!/usr/bin/env python
"""Django's command-line utility, with one clear message when a backing service is missing."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenlist.settings")
    from django.core.management import execute_from_command_line

    from greenlist.preflight import explain_startup_failure

    try:
        execute_from_command_line(sys.argv)
    except Exception as exc:  # noqa: BLE001 - turned into one readable line below
        message = explain_startup_failure(exc)
        if message is None:
            raise
        sys.stderr.write(f"\nerror: {message}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
