from django.core.management.base import BaseCommand, CommandError

from kinlink.testimony.verify import verify_bundle


class Command(BaseCommand):
    help = (
        "Check an evidence bundle: every file against manifest.json and SHA256SUMS; "
        "exit 1 naming the first file that does not hold. With --stored, check every "
        "attachment and bundle kept by this installation against its recorded fingerprint."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("bundle", nargs="?", help="the bundle's .zip file")
        parser.add_argument(
            "--digest",
            default="",
            help="the digest the issuing organisation recorded (SHA-256 of manifest.json)",
        )
        parser.add_argument(
            "--stored",
            action="store_true",
            help="check the stored attachments and bundles instead (needs the database)",
        )

    def handle(self, *args, **options) -> None:
        if options["stored"]:
            self._check_stored()
            return
        if not options["bundle"]:
            raise CommandError("name a bundle (.zip) or pass --stored", returncode=2)
        report = verify_bundle(options["bundle"], expected_digest=options["digest"])
        if not report.ok:
            raise CommandError(f"bundle broken: {report.summary()}", returncode=1)
        self.stdout.write(report.summary())

    def _check_stored(self) -> None:
        from kinlink.testimony.services import verify_stored_files

        report = verify_stored_files()
        if not report.ok:
            raise CommandError(
                f"{len(report.problems)} of {report.checked} stored files changed:\n  "
                + "\n  ".join(report.problems),
                returncode=1,
            )
        self.stdout.write(f"stored files intact: {report.checked} verified")
