import subprocess
import sys


def test_self_test_passes_on_the_source_install():
    run = subprocess.run(
        [sys.executable, "-m", "digitpad", "--self-test"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert_every_check_passed(run.stdout)


def assert_every_check_passed(report: str) -> None:
    """Every bundled model reads the sample and each trainable backend trains a batch."""
    from digitpad import backends, models

    bundled = [path for path, card in models.list_models() if card.bundled]
    checks = len(bundled) + len(backends.trainable())
    assert f"self-test: {checks} passed, 0 failed" in report
    assert report.count("reads the sample") == len(bundled)
    assert all(path.name in report for path in bundled)


def test_self_test_fails_when_a_model_is_damaged(tmp_path, monkeypatch):
    """A bundled model that no longer matches its card makes the self-test fail loudly."""
    import io
    import shutil

    from digitpad import models, self_test

    bundle = tmp_path / "models"
    shutil.copytree(models.bundled_dir(), bundle)
    damaged = bundle / "torch_mlp.pt"
    damaged.write_bytes(damaged.read_bytes()[:-50] + b"\0" * 50)
    monkeypatch.setattr(models, "bundled_dir", lambda: bundle)
    monkeypatch.setattr(self_test, "_checks", _only_models(self_test._checks))
    report = io.StringIO()
    assert self_test.run_self_test(report) == 1
    assert "FAIL  model torch_mlp.pt" in report.getvalue()
    assert "ok    model torch_cnn.pt" in report.getvalue()


def _only_models(make_checks):
    return lambda: [(name, check) for name, check in make_checks() if name.startswith("model")]
