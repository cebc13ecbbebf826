from django.core.management.base import BaseCommand, CommandError

from kinlink.testimony.verify import verify_bundle


class Command(BaseCommand):
    help = (
        "Check an evidence bundle: every file against manifest.json and SHA256SUMS; "
        "exit 1 naming the first file that does not hold."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("bundle", help="the bundle's .zip file")
        parser.add_argument(
            "--digest",
            default="",
            help="the digest the issuing organisation recorded (SHA-256 of manifest.json)",
        )

    def handle(self, *args, **options) -> None:
        report = verify_bundle(options["bundle"], expected_digest=options["digest"])
        if not report.ok:
            raise CommandError(f"bundle broken: {report.summary()}", returncode=1)
        self.stdout.write(report.summary())
