import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command


def test_check_deploy_with_production_environment_is_clean():
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE has no place in production.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "cert.example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_settings_refuse_to_start_without_secret_key_in_production():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"DEBUG": "0"}

    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_settings_refuse_an_unknown_file_storage():
    """Only the two storages the orphan-file sweep and the downloads know."""
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=Path(settings.BASE_DIR),
        env=os.environ | {"FILE_STORAGE": "storages.backends.gcloud.GoogleCloudStorage"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "FILE_STORAGE must be 'local' or 's3'" in result.stderr


def test_collectstatic_with_manifest_storage_hashes_every_vendored_file(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        # The production storage without whitenoise's compression step: the
        # manifest is what refuses a reference to a file that is not shipped.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

    call_command("collectstatic", interactive=False, verbosity=0)

    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert paths["vendor/chartjs/chart.umd.min.js"].startswith("vendor/chartjs/chart.umd.min.")
    assert paths["drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"] != (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    )
    assert "unfold/js/alpine/alpine.js" in paths


def _python_with_var_dir(code: str, var_dir: Path) -> subprocess.CompletedProcess:
    """`code` run by a fresh Python with the shipped settings, VAR_DIR at
    `var_dir` and no Redis (so the filesystem broker)."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(settings.BASE_DIR),
        env={**env, "VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_settings_import_creates_no_folders(tmp_path):
    var_dir = tmp_path / "var"

    result = _python_with_var_dir("import django; django.setup(); import config.celery", var_dir)

    assert result.returncode == 0, result.stderr
    assert not var_dir.exists()


def test_celery_creates_the_filesystem_broker_folders_when_configured(tmp_path):
    var_dir = tmp_path / "var"

    result = _python_with_var_dir("from config.celery import app; app.conf.broker_url", var_dir)

    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (var_dir / "celery").iterdir()) == [
        "control",
        "processed",
        "queue",
        "results",
    ]


def test_procfile_has_one_process_type_per_role_as_the_readme_says():
    base = Path(settings.BASE_DIR)
    lines = [
        line
        for line in (base / "config" / "Procfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    assert [line.split(":", 1)[0] for line in lines] == ["web", "worker", "beat"]
    readme = (base / "README.md").read_text()
    assert all(line in readme for line in lines)
