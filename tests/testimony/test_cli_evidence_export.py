"""`kinlink evidence export`: the page's export job from the command line, with a progress
bar, the same consent and role checks, and a bundle that `kinlink evidence verify` accepts."""

from __future__ import annotations

import pytest

from kinlink.audit.models import Action, Entry
from kinlink.cli import main
from kinlink.testimony.models import EvidenceExport, ExportJob, JobStatus


@pytest.fixture(autouse=True)
def no_threads(settings):
    settings.TESTIMONY_EXPORT_THREADS = False


def test_evidence_export_writes_a_verified_bundle_with_a_progress_bar(
    court_testimony, staff, tmp_path, capsys
):
    out = tmp_path / "court.zip"
    code = main(
        [
            "evidence", "export", "--as", "nadia", "--recipient", "Court of The Hague",
            "--purpose", "court", "--out", str(out),
        ]
    )  # fmt: skip
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "[" + "#" * 30 + "] 100%" in printed.err, printed.err
    export = EvidenceExport.objects.get()
    assert export.reference in printed.out and export.testimony_count == 1
    assert ExportJob.objects.get().status == JobStatus.DONE
    assert Entry.objects.filter(action=Action.EXPORT, actor_username="nadia").exists()
    assert main(["evidence", "verify", str(out), "--digest", export.manifest_sha256]) == 0
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 1
    out.write_bytes(bytes(data))
    assert main(["evidence", "verify", str(out)]) == 1


def test_evidence_export_refuses_a_caseworker_and_a_purpose_without_consent(
    court_testimony, staff, tmp_path, capsys
):
    args = ["evidence", "export", "--recipient", "UN", "--out", str(tmp_path / "b.zip")]
    assert main([*args, "--as", "sara", "--purpose", "court"]) == 1
    assert "supervisors" in capsys.readouterr().err
    assert main([*args, "--as", "nadia", "--purpose", "human_rights_report"]) == 1
    assert "consent" in capsys.readouterr().err
    assert not EvidenceExport.objects.exists()
    assert not (tmp_path / "b.zip").exists()


def test_evidence_export_of_named_testimonies_only(court_testimony, record, staff, capsys):
    other = record(account="A second account of Camp Liberty.")
    code = main(
        [
            "evidence", "export", "--as", "nadia", "--recipient", "UN", "--purpose", "court",
            "--testimonies", f"{other.reference.lower()}",
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert EvidenceExport.objects.get().testimony_count == 1
    assert ExportJob.objects.get().testimonies == [other.pk]
    assert main(
        ["evidence", "export", "--as", "nadia", "--recipient", "UN", "--purpose", "court",
         "--testimonies", "T-999999"]
    ) == 1  # fmt: skip
    assert "T-999999" in capsys.readouterr().err
