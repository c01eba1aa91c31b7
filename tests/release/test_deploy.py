"""The deployment files agree with each other and with the package (issue #18): the image and
the Zero to JupyterHub values start the single-user command the hub config uses, with settings
casework reads, the archive on the persistent volume and the release's version."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import casework
from casework import settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
CONTAINERFILE = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
HUB_CONFIG = (DEPLOY / "jupyterhub" / "jupyterhub_config.py").read_text(encoding="utf-8")
VALUES: dict[str, Any] = yaml.safe_load((DEPLOY / "z2jh" / "values.yaml").read_text("utf-8"))
OBJECTS = list(yaml.safe_load_all((DEPLOY / "z2jh" / "casework.yaml").read_text("utf-8")))
SINGLEUSER_MODULE = "casework.hub.singleuser"


def kind(name: str) -> list[dict[str, Any]]:
    return [o for o in OBJECTS if o["kind"] == name]


def test_every_server_starts_the_single_user_command_of_the_hub_config() -> None:
    hub_cmd = re.search(r"c\.Spawner\.cmd = \[sys\.executable, \"-m\", \"([\w.]+)\"\]", HUB_CONFIG)

    assert hub_cmd and hub_cmd.group(1) == SINGLEUSER_MODULE
    assert VALUES["singleuser"]["cmd"] == ["python", "-m", SINGLEUSER_MODULE]
    assert f'CMD ["python", "-m", "{SINGLEUSER_MODULE}"]' in CONTAINERFILE


def test_the_image_has_the_debian_packages_the_product_needs_and_runs_as_a_user() -> None:
    packages = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", CONTAINERFILE.split("install -y", 1)[1]))

    assert {"fonts-noto-cjk", "libreoffice-writer-nogui", "chromium"} <= packages
    assert "[postgres,hub]" in CONTAINERFILE
    users = re.findall(r"^USER (\S+)", CONTAINERFILE, re.M)
    assert users and not users[-1].startswith(("root", "0"))


def test_images_are_the_release_version() -> None:
    tags = {VALUES["hub"]["image"]["tag"], VALUES["singleuser"]["image"]["tag"]}
    tags |= {c["image"].split(":")[1] for c in containers()}

    assert tags == {casework.__version__}


def containers() -> list[dict[str, Any]]:
    found = []
    for job in kind("Job"):
        found += job["spec"]["template"]["spec"]["containers"]
    for cron in kind("CronJob"):
        found += cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    return found


def env_names() -> set[str]:
    names = set(VALUES["hub"]["extraEnv"]) | set(VALUES["singleuser"]["extraEnv"])
    names |= {e["name"] for c in containers() for e in c.get("env", [])}
    names |= set(re.findall(r"^ENV (\w+)=", CONTAINERFILE, re.M))
    names |= set(re.findall(r"^\s+(\w+)=\S+ \\$", CONTAINERFILE, re.M))
    return {n for n in names if n.startswith("CASEWORK_")}


@pytest.mark.parametrize("name", sorted(env_names()))
def test_every_casework_variable_of_the_deployment_is_a_setting(name: str) -> None:
    assert settings.by_env(name).env == name


def test_the_store_url_comes_from_one_secret_everywhere() -> None:
    refs = [
        VALUES["hub"]["extraEnv"]["CASEWORK_DB"],
        VALUES["singleuser"]["extraEnv"]["CASEWORK_DB"],
    ]
    refs += [e for c in containers() for e in c["env"] if e["name"] == "CASEWORK_DB"]

    secrets = {yaml.safe_dump(r["valueFrom"]["secretKeyRef"]) for r in refs}
    assert len(refs) == 4
    assert secrets == {yaml.safe_dump({"key": "url", "name": "casework-db"})}


def test_the_archive_is_the_one_persistent_volume_wherever_casework_writes() -> None:
    claim = kind("PersistentVolumeClaim")[0]["metadata"]["name"]
    storage = VALUES["singleuser"]["storage"]
    mount = storage["extraVolumeMounts"][0]["mountPath"]
    advance = kind("CronJob")[0]["spec"]["jobTemplate"]["spec"]["template"]["spec"]

    assert storage["extraVolumes"][0]["persistentVolumeClaim"]["claimName"] == claim
    assert VALUES["singleuser"]["extraEnv"]["CASEWORK_ARCHIVE"] == mount
    assert advance["volumes"][0]["persistentVolumeClaim"]["claimName"] == claim
    assert f"CASEWORK_ARCHIVE={mount}" in CONTAINERFILE


def test_advance_runs_nightly_and_idle_servers_are_culled() -> None:
    cron = kind("CronJob")[0]
    command = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"]

    assert command == ["casework", "advance"]
    assert cron["spec"]["timeZone"] == "Asia/Shanghai"
    assert VALUES["cull"]["enabled"] is True and VALUES["cull"]["timeout"] > 0


def test_hub_sign_in_is_mapped_to_casework_roles() -> None:
    hook = VALUES["hub"]["extraConfig"]["casework-roles"]

    compile(hook, "casework-roles", "exec")
    assert "sync_user" in hook and "c.Authenticator.post_auth_hook = post_auth_hook" in hook
    assert VALUES["hub"]["config"]["GenericOAuthenticator"]["manage_groups"] is True
    assert "casework.hub.roles" in HUB_CONFIG
