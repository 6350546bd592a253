"""The built wheel, installed on its own, migrates, serves and answers.

`pip install .` once left the migrations and the baseline policy behind (the
code looked for them beside the source tree). This builds the wheel from a
copy of the project, installs it into a fresh virtual environment, and runs
the installed `ssis-hub` from a directory with no source in it: `migrate` on
a new SQLite database, `serve --with-sources`, and one query with a
development token.

Offline and fast: the wheel is built without build isolation (setuptools is
a pinned dev dependency) and installed with `--no-deps --no-index`; the new
environment finds the already-installed dependencies through a `.pth` line
naming this environment's site-packages, which adds that directory to
`sys.path` but runs none of its own `.pth` files, so the editable install of
the checkout stays out and `hub` can only come from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from hub.auth import graphiql

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("hub", "schema", "connectors", "policies", "simulator")
AGENCY, PURPOSE = "LOCAL_WELFARE", "basic_livelihood_eligibility"
#: How long `serve --with-sources` may take to answer /healthz: a wait, not a
#: bound under test (the sources build their population first).
STARTUP_WAIT_S = 180


@dataclass(frozen=True)
class Installed:
    """The wheel and the environment it was installed into."""

    wheel: Path
    bin: Path
    workdir: Path  # empty of source: nothing importable from the checkout
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run an installed console script, checking it succeeded."""
        done = subprocess.run(  # noqa: S603 - our own installed script
            [str(self.bin / args[0]), *args[1:]],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}{done.stderr}"
        return done


def _pip(*args: str) -> None:
    subprocess.run(  # noqa: S603 - this environment's own pip
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet", *args],
        check=True,
        timeout=600,
    )


def _copy_project(target: Path) -> Path:
    """The files a build reads, copied so the build writes nothing into the checkout."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, target / package, ignore=ignore)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The project built into a wheel and installed into a fresh environment."""
    base = tmp_path_factory.mktemp("wheel")
    source = _copy_project(base / "source")
    dist = base / "dist"
    _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(dist), str(source))
    [wheel] = dist.glob("ssis_hub-*.whl")

    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)  # noqa: S603
    python = venv / "bin" / "python"
    _pip("--python", str(python), "install", "--no-deps", "--no-index", str(wheel))
    purelib = subprocess.run(  # noqa: S603 - the new environment's interpreter
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "project-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")

    workdir = base / "work"
    workdir.mkdir()
    # Nothing of this session's configuration leaks in: the hub's settings
    # come from these variables alone, and no path points at the checkout.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "PYTHON"))}
    env["HUB_DATA_DIR"] = str(workdir / "var")
    return Installed(wheel, venv / "bin", workdir, env)


def test_the_wheel_carries_the_migrations_and_the_baseline(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert "hub/db/migrations/env.py" in names
    assert "hub/db/migrations/script.py.mako" in names
    revisions = {n for n in names if n.startswith("hub/db/migrations/versions/0")}
    shipped = {
        f"hub/db/migrations/versions/{p.name}"
        for p in (ROOT / "hub/db/migrations/versions").glob("0*.py")
    }
    assert revisions == shipped
    baseline = {n for n in names if n.startswith("policies/baseline/")}
    files = (ROOT / "policies/baseline").glob("*.toml")
    assert baseline == {f"policies/baseline/{p.name}" for p in files}
    assert baseline, "the baseline is shipped"
    assets = {f"hub/auth/graphiql_assets/{name}.gz" for name in graphiql.ASSETS}
    assert assets <= names


def test_the_installed_hub_is_the_wheel_not_the_checkout(installed: Installed) -> None:
    where = installed.run("python", "-c", "import hub, policies; print(hub.__file__)").stdout
    assert str(installed.bin.parent) in where
    assert str(ROOT) not in where


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def serving(installed: Installed) -> Iterator[str]:
    """`ssis-hub serve --with-sources` of the installed wheel; its base URL."""
    migrated = installed.run("ssis-hub", "migrate")
    assert "installed the baseline policy as version 1" in migrated.stdout
    port, sources_port = _free_port(), _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own installed script
        [
            str(installed.bin / "ssis-hub"),
            "serve",
            "--with-sources",
            "--port",
            str(port),
            "--sources-port",
            str(sources_port),
        ],
        cwd=installed.workdir,
        env=installed.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_WAIT_S
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()


def test_the_installed_wheel_migrates_serves_and_answers(
    installed: Installed, serving: str
) -> None:
    # The hub serves on a port of its own, so its issuer follows that port:
    # dev-token asks the running hub for it, as a developer's second shell would.
    token = installed.run(
        "ssis-hub", "dev-token", "--agency", AGENCY, "--official", "kim.01", "--url", serving
    ).stdout.strip()
    rrn = installed.run("ssis-hub", "demo-subjects", "-n", "1").stdout.split()[0]
    response = httpx.post(
        f"{serving}/graphql",
        headers={
            "Authorization": f"Bearer {token}",
            "Hub-Purpose": PURPOSE,
            "Hub-Case-Ref": "CASE-WHEEL-1",
        },
        json={
            "query": "query($r: String!) { person(rrn: $r) { residentRegistration { name } } }",
            "variables": {"r": rrn},
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, json.dumps(body)
    assert body["data"]["person"]["residentRegistration"]["name"]
    # GraphiQL, from the installed package's own assets.
    page = httpx.get(f"{serving}/graphql", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and graphiql.GRAPHIQL_JS.url in page.text
    asset = httpx.get(f"{serving}{graphiql.GRAPHIQL_JS.url}", timeout=30)
    assert graphiql.integrity_of(asset.content) == graphiql.GRAPHIQL_JS.integrity
