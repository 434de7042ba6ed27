"""shelfmap's Korean analysis plugin: built from its source, installed into the local node.

The plugin (``index/plugin``: a Maven project against Elasticsearch's stable plugin
API, bundling Lucene's nori) is built once per hash of its sources and the node's
version, and installed with ``elasticsearch-plugin install --batch`` into a copy of the
distribution named after that hash (``9.2.4+korean-<hash>`` beside ``9.2.4``). A running
node never sees its plugins change under it, several homes share one built copy, and a
change to the plugin's source gives a new copy on the next start.

When shelfmap runs as root the install runs as the node's user, on a copy whose
``plugins`` folder that user owns for the install; the files go back to root after it,
as in a packaged install.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
from pathlib import Path

from index.es_dist import DistributionError, as_root, chown_tree, ensure_user

log = logging.getLogger("shelfmap.es")

NAME = "shelfmap-korean"
SOURCE = Path(__file__).resolve().parent / "plugin"
DESCRIPTOR = "stable-plugin-descriptor.properties"


class PluginError(DistributionError):
    """The Korean analysis plugin could not be built or installed."""


def _source_files(source: Path) -> list[Path]:
    return sorted(p for p in source.rglob("*")
                  if p.is_file() and "target" not in p.relative_to(source).parts)


def source_hash(es_version: str, source: Path = SOURCE) -> str:
    """A hash of the plugin's sources and the node's version (the plugin is built
    against that version's plugin API, and its descriptor names it)."""
    digest = hashlib.sha256(f"elasticsearch {es_version}\n".encode())
    for path in _source_files(source):
        digest.update(str(path.relative_to(source)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _tail(done: subprocess.CompletedProcess, lines: int = 25) -> str:
    text = (done.stdout or "") + (done.stderr or "")
    kept = [line for line in text.strip().splitlines()
            if not line.startswith("WARNING:")]  # the JDK's notes on Maven's own libraries
    return "\n".join(kept[-lines:])


def build(settings, java: Path, *, source: Path = SOURCE) -> Path:
    """The plugin's zip, built with Maven on ``java`` unless this hash was built before."""
    digest = source_hash(settings.es_version, source)
    built = settings.cache_path / "elasticsearch" / "plugins" / f"{NAME}-{digest}.zip"
    if built.is_file():
        return built
    mvn = shutil.which("mvn")
    if mvn is None:
        raise PluginError(
            "Maven (mvn) is needed to build the Korean analysis plugin; install it "
            "(apt-get install maven), or set SHELFMAP_ES_KOREAN=false to run the node "
            "without Korean analysis")
    work = built.parent / f".build-{digest}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(source, work, ignore=shutil.ignore_patterns("target"))
    log.info("building the Korean analysis plugin (%s) with Maven", digest)
    done = subprocess.run(
        [mvn, "-q", "-B", "package", f"-Delasticsearch.version={settings.es_version}"],
        cwd=work, capture_output=True, text=True,
        env={**os.environ, "JAVA_HOME": str(java)})
    zips = sorted((work / "target").glob(f"{NAME}-*.zip"))
    if done.returncode != 0 or len(zips) != 1:
        shutil.rmtree(work, ignore_errors=True)
        raise PluginError(f"mvn could not build the Korean analysis plugin from {source} "
                          f"(is the network up for its first build?):\n{_tail(done)}")
    built.parent.mkdir(parents=True, exist_ok=True)
    os.replace(zips[0], built)
    shutil.rmtree(work, ignore_errors=True)
    return built


def installed(home: Path) -> bool:
    return (home / "plugins" / NAME / DESCRIPTOR).is_file()


def with_plugin(settings, base: Path, java: Path) -> Path:
    """A distribution like ``base`` with the plugin installed (made once per hash)."""
    digest = source_hash(settings.es_version)
    home = base.parent / f"{base.name}+korean-{digest}"
    if installed(home):
        return home
    built = build(settings, java)
    work = base.parent / f".install-{home.name}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(base, work, symlinks=True)
    try:
        package = work / f"{NAME}.zip"  # beside the copy: the node's user can read it
        shutil.copyfile(built, package)
        package.chmod(0o644)
        command = [str(work / "bin" / "elasticsearch-plugin"), "install", "--batch",
                   package.as_uri()]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "HOME": str(work), "ES_JAVA_HOME": str(java),
               "ES_PATH_CONF": str(work / "config")}
        if as_root():
            uid, gid = ensure_user(settings.es_user_name)
            chown_tree(work / "plugins", uid, gid)
            command = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--init-groups",
                       *command]
        log.info("installing the Korean analysis plugin into %s", home)
        done = subprocess.run(command, cwd=work, capture_output=True, text=True, env=env)
        if done.returncode != 0 or not installed(work):
            raise PluginError(f"elasticsearch-plugin could not install {built}:\n"
                              f"{_tail(done)}")
        if as_root():
            chown_tree(work / "plugins", 0, 0)
        package.unlink()
        try:
            work.rename(home)
        except OSError:
            if not installed(home):  # else another process made the same copy first
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return home
