"""Production: `check --deploy` is clean with production variables, a missing secret stops start-up, and the files
in deploy/ start what the settings expect."""

import configparser
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "carbon.ninghe.example",
    "CSRF_TRUSTED_ORIGINS": "https://carbon.ninghe.example",
    "BEHIND_TLS_PROXY": "true",
    "TRUSTED_PROXY_COUNT": "1",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is for them only, never a server's
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION and not k.startswith("SECURE_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_complains_when_production_turns_https_off():
    """The test above can fail: switching off what DEBUG=false turns on is reported."""
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, SECURE_COOKIES="false")
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


DEPLOY = ROOT / "deploy"


def _settings_variables() -> set[str]:
    """Every environment variable settings.py or the gunicorn config reads (DATABASE_URL via dj-database-url)."""
    text = (ROOT / "ninghe_carbon" / "settings.py").read_text() + (DEPLOY / "gunicorn.conf.py").read_text()
    return set(re.findall(r"(?:environ\.get\(|environ\[|env_bool\()\"([A-Z_]+)\"", text)) | {"DATABASE_URL"}


def test_every_variable_in_the_env_example_is_one_the_settings_read():
    names = {
        line.split("=", 1)[0]
        for line in (DEPLOY / "env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"} <= names
    assert names <= _settings_variables(), names - _settings_variables()


def test_compose_runs_web_worker_and_one_beat_against_postgres_and_redis():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "web", "worker", "beat"} <= set(services)
    assert services["worker"]["command"][:4] == ["celery", "-A", "ninghe_carbon", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "ninghe_carbon", "beat"]
    assert "replicas" not in services["beat"].get("deploy", {})
    assert "gunicorn.conf.py" in (DEPLOY / "Dockerfile").read_text()
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")


def test_systemd_units_start_gunicorn_the_worker_and_beat():
    commands = {}
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(unit)
        assert parser["Service"]["EnvironmentFile"] == "/etc/ninghe-carbon/env"
        commands[unit.stem] = parser["Service"]["ExecStart"]
    assert "gunicorn -c deploy/gunicorn.conf.py ninghe_carbon.wsgi" in commands["ninghe-web"]
    assert "celery -A ninghe_carbon worker" in commands["ninghe-worker"]
    assert "celery -A ninghe_carbon beat" in commands["ninghe-beat"]


def test_only_the_proxy_reaches_gunicorn_and_only_its_address_is_trusted():
    """Issue 17: a published gunicorn port and a blanket trust of X-Forwarded-For let clients forge addresses."""
    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text()
    assert 'os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")' in gunicorn
    env = dict(
        line.split("=", 1)
        for line in (DEPLOY / "env.example").read_text().splitlines()
        if "=" in line and line[0] != "#"
    )
    assert env["GUNICORN_BIND"] == "127.0.0.1:8000"
    assert env["TRUSTED_PROXY_ADDRESSES"] == env["FORWARDED_ALLOW_IPS"] == "127.0.0.1"

    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert "ports" not in services["web"] and "profiles" not in services["nginx"]
    nginx_ip = services["nginx"]["networks"]["default"]["ipv4_address"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["TRUSTED_PROXY_ADDRESSES"] == environment["FORWARDED_ALLOW_IPS"] == nginx_ip
    assert "*" not in str(services["web"]["environment"].values())
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert "$proxy_add_x_forwarded_for" not in nginx
