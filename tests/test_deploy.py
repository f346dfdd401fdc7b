"""compose.yaml and the Dockerfile, read (there is no Docker engine here): every
long-running service has a health check on the right probe, nothing is published beyond
this host, and the image holds every package the project installs. `.ci/run` validates
the file against the Compose specification and runs deploy/smoke.sh."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def services() -> dict[str, dict[str, object]]:
    loaded: dict[str, dict[str, object]] = yaml.safe_load(
        (ROOT / "compose.yaml").read_text(encoding="utf-8")
    )["services"]
    return loaded


def test_every_long_running_service_has_a_health_check_and_a_restart_policy():
    for name, service in services().items():
        if service.get("restart") == "no":  # the one-shot init
            assert "healthcheck" not in service, name
            continue
        check = service.get("healthcheck")
        assert isinstance(check, dict), name
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert service["restart"] == "unless-stopped", name


def test_the_api_is_checked_on_health_and_the_projector_on_readiness():
    api, projector = services()["api"], services()["projector"]
    assert "http://127.0.0.1:8000/health" in " ".join(api["healthcheck"]["test"])  # type: ignore[index]
    assert projector["healthcheck"]["test"] == ["CMD", "python", "-m", "api.probes"]  # type: ignore[index]


def test_nothing_but_the_tls_proxy_is_published_beyond_this_host():
    for name, service in services().items():
        for port in service.get("ports", []):  # type: ignore[attr-defined]
            if name == "proxy":  # HTTPS, and HTTP that Caddy only redirects to it
                assert str(port) in ("443:443", "80:80"), port
            else:
                assert str(port).startswith("127.0.0.1:"), (name, port)


def test_the_proxy_serves_the_api_over_tls_with_the_caddyfile_it_mounts():
    proxy = services()["proxy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]  # type: ignore[operator]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert "reverse_proxy api:8000" in caddyfile
    assert "tls {$TALENTCARD_TLS:internal}" in caddyfile


def test_the_image_copies_every_package_the_project_installs():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in config["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (ROOT / "Dockerfile").read_text(), re.MULTILINE))
    assert packages <= copied, packages - copied


def test_ci_validates_compose_against_the_spec_and_runs_the_smoke_test():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "check-jsonschema --builtin-schema vendor.compose-spec compose.yaml" in ci
    assert "deploy/smoke.sh" in ci
    assert (ROOT / "deploy" / "smoke.sh").is_file()


def test_ci_installs_chromium_and_the_npm_packages_before_the_tests_run():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "wanted+=(chromium)" in ci
    assert ci.index("npm ci") < ci.index('eval "$TEST_COMMAND"')
    assert "caddy validate --config deploy/Caddyfile" in ci


def test_the_proxy_lets_a_browser_name_the_console_as_the_origin_of_its_forms():
    # Under Referrer-Policy no-referrer Chromium posts every form with `Origin: null`, and
    # the console refuses such a form as another site's: behind the proxy no clerk could
    # sign in. same-origin sends nothing to other sites either.
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    policies = re.findall(r'Referrer-Policy "([^"]+)"', caddyfile)
    assert policies == ["same-origin"]


def test_the_api_counts_sign_ins_by_the_clerk_s_address_not_the_proxy_s():
    api = services()["api"]
    assert api["environment"]["FORWARDED_ALLOW_IPS"] == "*"  # type: ignore[index]
