"""The `kinlink` command. Each subcommand is a thin wrapper over a service or a Django command."""

from __future__ import annotations

import argparse
import gc
import getpass
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinlink.settings")
    import django

    django.setup()


def _call(name: str, *args: str, **options) -> None:
    from django.core.management import call_command

    call_command(name, *args, **options)


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup_django()
    _call("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    print("database is up to date")
    return 0


def _refuse_unsafe_start() -> int:
    """Stop at start-up on errors such as a missing or wrong field key, never serve garbage."""
    from django.core.management.base import SystemCheckError

    try:
        _call("check", fail_level="ERROR")
    except SystemCheckError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()
    if _refuse_unsafe_start():
        return 1
    from waitress import serve

    from kinlink.wsgi import application

    # Everything loaded so far (Django, the apps, translations) lives as long as the process:
    # keep it out of the garbage collector's sweeps, which then look at requests' objects only.
    gc.collect()
    gc.freeze()
    print(f"kinlink serving on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    serve(application, host=args.host, port=args.port, threads=args.threads, ident="kinlink")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    started = time.monotonic()
    # The demo always runs on its own, fresh SQLite file, whatever DATABASE_URL says.
    os.environ.pop("DATABASE_URL", None)
    data_dir = Path(os.environ.get("KINLINK_DATA", "kinlink-data")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("kinlink.sqlite3", "kinlink.sqlite3-wal", "kinlink.sqlite3-shm"):
        (data_dir / stale).unlink(missing_ok=True)
    shutil.rmtree(data_dir / "files", ignore_errors=True)
    os.environ["KINLINK_DATA"] = str(data_dir)
    _setup_django()
    print(f"creating a fresh demo database in {data_dir} ...", flush=True)
    _call("migrate", interactive=False, verbosity=0)
    from kinlink.demo import DEMO_PASSWORD, load_demo_data

    logins = load_demo_data(progress=True)
    address = f"http://{args.host}:{args.port}/"
    print(f"\nkinlink demo ready in {time.monotonic() - started:.1f} s at {address}")
    print(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for role, username, note in logins:
        print(f"  {role:<24} {username:<12} {note}")
    if args.no_serve:
        return 0
    args.threads = 8
    return cmd_serve(args)


def cmd_demo_otp(args: argparse.Namespace) -> int:
    _setup_django()
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kinlink.demo import DEMO_TOTP_KEYS

    key = DEMO_TOTP_KEYS.get(args.username)
    device = TOTPDevice.objects.filter(
        user__username=args.username, key=key, confirmed=True
    ).first()
    if key is None or device is None:
        print(
            f"error: {args.username!r} is not a demo user with a demo two-factor key",
            file=sys.stderr,
        )
        return 2
    print(f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}")
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from kinlink.accounts import services

    password = args.password or os.environ.get("KINLINK_NEW_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("password: ")
            if password != getpass.getpass("again: "):
                print("error: the passwords differ", file=sys.stderr)
                return 2
    team = services.team_named(args.team) if args.team else None
    try:
        user = services.create_user(
            username=args.username,
            password=password,
            role=args.role,
            team=team,
            email=args.email or "",
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for error in errors:
                print(f"error: {field}: {error}", file=sys.stderr)
        return 2
    print(f"created {user.username} ({user.role})")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management.base import SystemCheckError

    try:
        _call("check", deploy=args.deploy, fail_level="WARNING" if args.deploy else "ERROR")
    except SystemCheckError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management.base import CommandError

    try:
        _call("audit_verify")
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_keys_new(args: argparse.Namespace) -> int:
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode())
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    _setup_django()
    from tqdm import tqdm

    from kinlink.audit.keys import rotate_field_keys

    with tqdm(unit="value", desc="re-encrypting", file=sys.stderr) as bar:
        report = rotate_field_keys(progress=lambda done: bar.update(done - bar.n))
    from kinlink.cases.services import rotate_scan_keys

    scans = rotate_scan_keys()
    print(f"re-encrypted {report.values} values with the newest key")
    print(f"re-encrypted {scans} document scans with the newest key")
    for label, count in sorted(report.by_model.items()):
        print(f"  {label}: {count}")
    print("older keys can now be removed from KINLINK_FIELD_KEYS")
    return 0


def _passphrase(args: argparse.Namespace, confirm: bool) -> str:
    if args.passphrase_file:
        return Path(args.passphrase_file).read_text().strip()
    if os.environ.get("KINLINK_BACKUP_PASSPHRASE"):
        return os.environ["KINLINK_BACKUP_PASSPHRASE"]
    phrase = getpass.getpass("backup passphrase: ")
    if confirm and phrase != getpass.getpass("again: "):
        raise SystemExit("error: the passphrases differ")
    return phrase


def cmd_backup(args: argparse.Namespace) -> int:
    _setup_django()
    import tempfile

    from kinlink.backup.archive import BackupError
    from kinlink.backup.services import create_backup, open_backup

    try:
        if args.check:
            with tempfile.TemporaryDirectory() as scratch:
                manifest = open_backup(Path(args.archive), _passphrase(args, False), Path(scratch))
            rows = sum(t["rows"] for t in manifest["tables"].values())
            print(
                f"backup intact: {rows} rows in {len(manifest['tables'])} tables, "
                f"{len(manifest['files'])} files, taken {manifest['created_at']}"
            )
            return 0
        report = create_backup(
            Path(args.archive),
            _passphrase(args, True),
            progress=lambda label, n: (
                print(f"  {label}: {n} rows", file=sys.stderr) if args.verbose else None
            ),
        )
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"wrote {report.path} ({sum(report.rows.values())} rows, {report.files} files), "
        f"sha256 {report.sha256}"
    )
    print("the field key is not in the backup: keep KINLINK_FIELD_KEYS with your key records")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    _setup_django()
    from kinlink.backup.archive import BackupError
    from kinlink.backup.services import restore_backup

    _call("migrate", interactive=False, verbosity=0)
    try:
        report = restore_backup(Path(args.archive), _passphrase(args, False))
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if report.already_restored:
        print(f"{args.archive} was restored into this database already; nothing changed")
        return 0
    print(
        f"restored {sum(report.rows.values())} rows and {report.files} files; "
        f"audit log intact ({report.audit_entries} entries)"
    )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django()
    from kinlink.worker import run_daily_jobs, run_forever

    if args.once:
        run_daily_jobs()
        return 0
    hour, _, minute = args.at.partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        print(f"error: --at {args.at!r}: write the time of day as HH:MM", file=sys.stderr)
        return 2
    print(f"kinlink worker: daily jobs now and every day at {args.at} (Ctrl-C to stop)", flush=True)
    run_forever(int(hour), int(minute))
    return 0


def _registry_from_database():
    """Every live person, as plain rows of the columns the engine uses, a chunk at a time
    (tracing.registry: a third of the database's CPU and a quarter of this process's that
    model instances with prefetched names took)."""
    _setup_django()
    from kinlink.tracing.registry import registry_records

    return list(registry_records())


def lower_priority(steps: int) -> int:
    """Run this process (and the threads it starts, DuckDB's included) `steps` nice levels
    lower, so that a batch job on the web server's machine yields the CPU to the pages staff
    are waiting for; it still takes every idle cycle. Returns the new niceness."""
    if not hasattr(os, "nice"):
        return 0
    niceness = os.nice(steps) if steps else os.nice(0)
    if niceness >= 19 and hasattr(os, "sched_setscheduler"):
        # the lowest priority there is: Linux's idle class, which runs only when a core
        # would otherwise idle (nice 19 alone still takes a slice from busy web threads)
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    return niceness


def stage_progress(bar: Any) -> Callable[[str, int, int], None]:
    """A progress callback (stage, done, total) that drives one tqdm bar, starting it afresh
    only when the stage changes (tqdm keeps "stage: " as its description, not "stage")."""
    current: list[str] = []

    def progress(stage: str, done: int, total: int) -> None:
        if current != [stage]:
            current[:] = [stage]
            bar.set_description(stage)
            bar.reset(total=total)
        bar.update(done - bar.n)

    return progress


def cmd_link(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from kinlink.matching.batch import link_batch
    from kinlink.matching.csvio import (
        CsvFormatError,
        read_registry_csv,
        read_requests_csv,
        write_results_csv,
    )

    if not 0.0 <= args.threshold <= 1.0:
        print(
            f"error: --threshold {args.threshold}: give a probability between 0 and 1",
            file=sys.stderr,
        )
        return 2
    if args.top < 1:
        print(f"error: --top {args.top}: give at least 1", file=sys.stderr)
        return 2
    if not 0 <= args.nice <= 19:
        print(f"error: --nice {args.nice}: give 0 to 19", file=sys.stderr)
        return 2
    if args.threads is not None and args.threads < 1:
        print(f"error: --threads {args.threads}: give at least 1", file=sys.stderr)
        return 2
    if args.threads is not None and args.backend != "duckdb":
        print("error: --threads applies to the duckdb backend only", file=sys.stderr)
        return 2
    lower_priority(args.nice)
    try:
        requests, errors = read_requests_csv(args.requests)
        if args.registry:
            registry, registry_errors = read_registry_csv(args.registry)
            errors += [type(e)(e.line, e.field, f"(registry) {e.message}") for e in registry_errors]
        else:
            registry = _registry_from_database()
    except (CsvFormatError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for error in errors:
        print(f"skipped {error}", file=sys.stderr)
    bar = tqdm(unit="row", file=sys.stderr, leave=False, dynamic_ncols=True)
    progress = stage_progress(bar)

    results = link_batch(
        requests,
        registry,
        top_k=args.top,
        threshold=args.threshold,
        backend=args.backend,
        spark_master=args.spark_master,
        progress=progress,
        threads=args.threads,
    )
    bar.close()
    # OUT.csv appears whole or not at all: a run killed half-way leaves only OUT.csv.partial,
    # never a shorter file that looks finished. The export is audited before it appears.
    partial = Path(args.out + ".partial") if args.out else None
    written = write_results_csv(partial or sys.stdout, results, top_k=args.top)
    if not args.registry:
        from kinlink.audit.models import Action
        from kinlink.audit.services import record

        record(
            Action.EXPORT,
            object_type="matching.link",
            detail={"requests": len(requests), "rows": written},
        )
    if partial is not None:
        os.replace(partial, args.out)
    print(
        f"linked {len(requests)} requests against {len(registry)} persons: {written} rows"
        + (f" in {args.out}" if args.out else "")
        + (f"; {len(errors)} rows skipped" if errors else ""),
        file=sys.stderr,
    )
    return 0


def _staff_user(username: str):
    from kinlink.accounts.models import User
    from kinlink.audit.context import actor_for, replace_actor

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise SystemExit(f"error: --as {username!r}: no active user of that name")
    replace_actor(actor_for(user))
    return user


def cmd_import(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import PermissionDenied

    from kinlink.tracing import services
    from kinlink.tracing.imports import ImportFileError

    user = _staff_user(args.as_user)
    path = Path(args.file)
    try:
        data = path.read_bytes()
        run = services.preview_import if args.preview else services.run_import
        report = run(user=user, kind=args.kind, data=data, filename=path.name)
    except (OSError, ImportFileError) as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    except PermissionDenied as exc:
        print(f"error: --as {args.as_user}: {exc}", file=sys.stderr)
        return 2
    for error in report.errors:
        print(f"skipped {error}", file=sys.stderr)
    verb = "would import" if args.preview else "imported"
    created = len(report.rows) - len(report.existing) if args.preview else len(report.created)
    print(
        f"{verb} {created} {args.kind}; {len(report.existing)} imported before and left as "
        f"they are; {len(report.errors)} rows with errors"
    )
    return 1 if report.errors and not report.rows else 0


def _export_passphrase(args: argparse.Namespace) -> str:
    """From --passphrase-file, KINLINK_EXPORT_PASSPHRASE or a prompt (--encrypt); never an
    argument, which other users of the machine could read in the process list."""
    if args.passphrase_file:
        return Path(args.passphrase_file).read_text(encoding="utf-8").rstrip("\r\n")
    if os.environ.get("KINLINK_EXPORT_PASSPHRASE"):
        return os.environ["KINLINK_EXPORT_PASSPHRASE"]
    if args.encrypt:
        first = getpass.getpass("passphrase: ")
        if first != getpass.getpass("passphrase again: "):
            raise ValueError("the passphrases differ")
        return first
    return ""


def cmd_export(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from kinlink.tracing import services

    user = _staff_user(args.as_user)
    name = Path(args.out)
    if name.suffix.lower() == ".zip":
        name = name.with_suffix("")
    fmt = args.format or name.suffix.lstrip(".").lower()
    if fmt not in ("csv", "xlsx"):
        print("error: --format: choose csv or xlsx", file=sys.stderr)
        return 2
    try:
        passphrase = _export_passphrase(args)
        columns = [c.strip() for c in (args.columns or "").split(",") if c.strip()] or None
        export = services.export_caseload_file(
            user=user,
            fmt=fmt,
            purpose=args.purpose,
            recipient=args.recipient,
            columns=columns,
            passphrase=passphrase,
        )
    except PermissionDenied as exc:
        print(f"error: --as {args.as_user}: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        for field, problems in exc.message_dict.items():
            print(f"error: {field}: {' '.join(problems)}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    data = export.content
    Path(args.out).write_bytes(data)
    sealed = "; encrypted with AES-256 (open with 7-Zip)" if export.encrypted else ""
    print(
        f"wrote {args.out} ({len(data)} bytes, {export.rows} rows, purpose {args.purpose})"
        f"{sealed}; no hidden name and no contact or location outside tracing is exported"
    )
    return 0


def cmd_evidence_verify(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management.base import CommandError

    try:
        _call("evidence_verify", args.bundle, digest=args.digest)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_evidence_export(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management.base import CommandError

    try:
        # the page's background job, run here with a progress bar on stderr
        _call(
            "evidence_export",
            username=args.as_user,
            recipient=args.recipient,
            purpose=args.purpose,
            note=args.note,
            testimonies=args.testimonies,
            out=args.out,
        )
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kinlink",
        description="Case management for tracing families and supporting people who leave "
        "closed groups.",
        epilog="Data directory: $KINLINK_DATA (default ./kinlink-data). Database: $DATABASE_URL.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo", help="fresh SQLite database with synthetic demo data, then serve it"
    )
    demo.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    demo.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    demo.add_argument("--no-serve", action="store_true", help="load the demo data and exit")
    demo.set_defaults(func=cmd_demo)

    demo_otp = sub.add_parser("demo-otp", help="print the current two-factor code of a demo user")
    demo_otp.add_argument("username", help="admin or dpo")
    demo_otp.set_defaults(func=cmd_demo_otp)

    serve = sub.add_parser("serve", help="serve the web app and API (waitress)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="create or update the database schema")
    migrate.add_argument("-v", "--verbose", action="store_true", help="list each migration")
    migrate.set_defaults(func=cmd_migrate)

    createuser = sub.add_parser("createuser", help="create a staff user with a role")
    createuser.add_argument("username")
    createuser.add_argument(
        "--role", required=True, choices=["caseworker", "supervisor", "dpo", "admin", "analyst"]
    )
    createuser.add_argument("--team", help="team name (created when new)")
    createuser.add_argument("--email")
    createuser.add_argument(
        "--password",
        help="initial password (else $KINLINK_NEW_PASSWORD, standard input or a prompt)",
    )
    createuser.set_defaults(func=cmd_createuser)

    check = sub.add_parser("check", help="check the installation; --deploy reports anything unsafe")
    check.add_argument("--deploy", action="store_true", help="also check production settings")
    check.set_defaults(func=cmd_check)

    audit = sub.add_parser("audit", help="audit log commands")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_sub.add_parser(
        "verify", help="check the hash chain; exit 1 naming the first broken entry"
    )
    verify.set_defaults(func=cmd_audit_verify)

    backup = sub.add_parser("backup", help="write every table and file to one encrypted archive")
    backup.add_argument("archive", help="the archive to write (or to check with --check)")
    backup.add_argument(
        "--check", action="store_true", help="open an archive and verify every hash"
    )
    backup.add_argument(
        "--passphrase-file",
        help="file holding the passphrase (else $KINLINK_BACKUP_PASSPHRASE or a prompt)",
    )
    backup.add_argument("-v", "--verbose", action="store_true", help="list each table")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="bring a backup back into an empty database")
    restore.add_argument("archive")
    restore.add_argument("--passphrase-file", help="file holding the passphrase")
    restore.set_defaults(func=cmd_restore)

    worker = sub.add_parser("worker", help="run the daily background jobs (reminders, retention)")
    worker.add_argument("--once", action="store_true", help="run the jobs once and exit")
    worker.add_argument(
        "--at", default="06:00", help="time of day for the daily run (default 06:00)"
    )
    worker.set_defaults(func=cmd_worker)

    link = sub.add_parser(
        "link",
        help="link a CSV of enquiries against a registry (a CSV or the kinlink database)",
        description="Columns: id, given_name, family_name, father_name, mother_name, birth_date, "
        "birth_year, gender, birth_place (all but id may be empty or absent; names in any script; "
        "birth_date YYYY, YYYY-MM, YYYY-MM-DD or YYYYMMDD, Solar Hijri below 1500; gender M/F). "
        "Output: request_id, person_id, rank, score, explanation.",
    )
    link.add_argument("requests", help="REQUESTS.csv")
    link.add_argument(
        "--registry", help="REGISTRY.csv with the same columns (default: the kinlink database)"
    )
    link.add_argument("--top", type=int, default=10, help="candidates per request (default 10)")
    link.add_argument(
        "--threshold", type=float, default=0.0, help="lowest score to keep, 0..1 (default 0)"
    )
    link.add_argument(
        "--backend", choices=["duckdb", "spark"], default="duckdb", help="default duckdb"
    )
    link.add_argument(
        "--spark-master", default="local[2]", help="Spark master URL (default local[2])"
    )
    link.add_argument("--out", help="OUT.csv (default: standard output)")
    link.add_argument(
        "--threads",
        type=int,
        help="DuckDB threads (default: one per core); 1 beside a busy web server leaves it "
        "the other cores and their caches",
    )
    link.add_argument(
        "--nice",
        type=int,
        default=19,
        help="lower CPU priority by this much (0-19, default 19), so that pages served on the "
        "same machine stay fast; idle cores are used all the same",
    )
    link.set_defaults(func=cmd_link)

    importer = sub.add_parser("import", help="import persons or enquiries from CSV or XLSX")
    importer.add_argument("kind", choices=["persons", "enquiries"])
    importer.add_argument(
        "file", help="FILE.csv or FILE.xlsx (the columns of `kinlink link` and more)"
    )
    importer.add_argument("--as", dest="as_user", required=True, help="the caseworker importing")
    importer.add_argument("--preview", action="store_true", help="check every row, import nothing")
    importer.set_defaults(func=cmd_import)

    exporter = sub.add_parser(
        "export", help="export a caseload to CSV or XLSX (no contact or location)"
    )
    exporter.add_argument("out", help="OUT.csv or OUT.xlsx")
    exporter.add_argument("--as", dest="as_user", required=True, help="whose caseload")
    exporter.add_argument("--format", choices=["csv", "xlsx"], help="default: from the file name")
    exporter.add_argument(
        "--purpose",
        default="caseload review",
        choices=["caseload review", "tracing", "statistics", "transfer"],
        help="the export holds only what this purpose needs (audited)",
    )
    exporter.add_argument("--for", dest="recipient", default="", help="recipient (audited)")
    exporter.add_argument("--columns", help="comma-separated columns (default: the purpose's)")
    exporter.add_argument(
        "--encrypt", action="store_true", help="ask for a passphrase: AES-256 ZIP"
    )
    exporter.add_argument("--passphrase-file", help="read the passphrase from this file")
    exporter.set_defaults(func=cmd_export)

    evidence = sub.add_parser("evidence", help="evidence bundles")
    evidence_sub = evidence.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    ev_verify = evidence_sub.add_parser(
        "verify",
        help="check a bundle's files against its manifest; exit 1 naming the first bad one",
    )
    ev_verify.add_argument("bundle", help="BUNDLE.zip")
    ev_verify.add_argument(
        "--digest", default="", help="the manifest digest recorded when it was issued"
    )
    ev_verify.set_defaults(func=cmd_evidence_verify)
    ev_export = evidence_sub.add_parser(
        "export",
        help="build a bundle for a recipient and purpose (consent checked, redacted, audited)",
    )
    ev_export.add_argument("--as", dest="as_user", required=True, help="the exporting user")
    ev_export.add_argument("--recipient", required=True, help="who receives it (audited)")
    ev_export.add_argument(
        "--purpose",
        required=True,
        help="anonymised_report, human_rights_report or court: the consent it needs",
    )
    ev_export.add_argument("--note", default="")
    ev_export.add_argument(
        "--testimonies", default="", help="only these, by reference: T-000001,T-000002"
    )
    ev_export.add_argument("--out", help="copy the bundle to this path")
    ev_export.set_defaults(func=cmd_evidence_export)

    keys = sub.add_parser("keys", help="field encryption keys")
    keys_sub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    keys_sub.add_parser(
        "new", help="print a new key to put first in KINLINK_FIELD_KEYS"
    ).set_defaults(func=cmd_keys_new)
    keys_sub.add_parser(
        "rotate", help="re-encrypt every sensitive value with the first key, without downtime"
    ).set_defaults(func=cmd_keys_rotate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
