"""The scale data set of issue 10: 5 associations, 5,000 businesses, 100,000
certificates, 110,000 applications, 500,000 metric values and 230,000
history rows, with a person in every role.

    DATABASE_URL=postgres://... python bench/seed_scale.py [--seed N] [--scale 1.0] [--reset] [--force]

Writes rows straight into the tables (PostgreSQL COPY; batched INSERTs
elsewhere, where a small --scale keeps it quick), with the ids chosen here,
so it takes about a minute rather than hours. Nothing goes through the
services: the rows are what the services would have left behind. The same
--seed on the same day gives the same rows (dates are relative to today, so
reminders and expiry always have work). The parts are in bench/scale/;
every model it writes is named in bench/scale/tables.py.

Every seeded login has the password BENCH_PASSWORD; like the demo, it refuses
to run with DEBUG off unless --force."""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.scale.plan import ASSOCIATIONS, BENCH_PASSWORD, EMAIL_DOMAIN  # noqa: E402


def database_state() -> str:
    """'empty', 'scale' (this seeder's data) or 'other'."""
    from django.db import connection

    from bench.scale.tables import models

    M = models()
    if M.Association._meta.db_table not in connection.introspection.table_names():
        return "empty"  # not even migrated
    if M.Association.objects.filter(slug=ASSOCIATIONS[0][1]).exists():
        return "scale"
    if M.User.objects.exists() or M.Association.objects.exists() or M.Business.objects.exists():
        return "other"
    return "empty"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=10, help="random seed (default 10)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the issue's sizes (default 1.0)"
    )
    parser.add_argument("--reset", action="store_true", help="empty a database that has data first")
    parser.add_argument("--force", action="store_true", help="run even with DEBUG off")
    parser.add_argument("--status", action="store_true", help="print empty, scale or other, and stop")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if args.status:
        print(database_state())
        return 0
    if not settings.DEBUG and not args.force:
        print(
            "DEBUG is off: this looks like production, and every seeded login shares a published "
            "password. Run with --force if you really want the scale data here.",
            file=sys.stderr,
        )
        return 2
    if args.scale <= 0:
        parser.error("--scale must be positive")
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
        f"seed {args.seed}, scale {args.scale}"
    )
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    state = database_state()
    if state != "empty":
        if not args.reset:
            print(f"The database has data ({state}); run with --reset to replace it.", file=sys.stderr)
            return 3
        call_command("flush", interactive=False, verbosity=0)
        print(f"  {'migrate and empty the database':<38} {time.perf_counter() - started:6.1f} s")
    else:
        print(f"  {'migrate':<38} {time.perf_counter() - started:6.1f} s")

    from bench.scale.seeder import Seeder

    seeder = Seeder(seed=args.seed, scale=args.scale, connection=connection)
    seeder.run()
    print()
    for label, n in sorted(seeder.w.counts.items()):
        print(f"  {label:<38} {n:>10,}")
    print(f"\nseeded in {time.perf_counter() - started:.0f} s. Every login's password: {BENCH_PASSWORD}")
    admin = f"admin@{ASSOCIATIONS[0][2].lower()}.{EMAIL_DOMAIN}"
    print(f"e.g. {admin} (staff admin), auditor1@psa.{EMAIL_DOMAIN}, owner1@{EMAIL_DOMAIN} (business owner)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
