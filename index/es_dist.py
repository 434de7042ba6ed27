"""Where the local node's distribution and JDK come from, and where they live.

The distribution is the official ``integ-test-zip`` from Maven Central (server core
only), fetched once with ``mvn dependency:copy`` and unpacked once. The JDK is the newest
one new enough for Elasticsearch 9 (see :func:`find_java`).

Elasticsearch refuses to run as root. When shelfmap runs as root, the node runs as an
unprivileged system user (``settings.es_user_name``) and the distribution lives where a
packaged install would keep it, under :data:`SERVICE_ROOT`, owned by root and readable
by that user. Otherwise it lives under ``settings.cache_path``.
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

log = logging.getLogger("shelfmap.es")

SERVICE_ROOT = Path("/var/lib/shelfmap-es")
JVM_ROOT = Path("/usr/lib/jvm")
MIN_JAVA = 21  # Elasticsearch 9 refuses older runtimes
ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"


class LocalNodeError(RuntimeError):
    """The local Elasticsearch node cannot be fetched, started or stopped."""


class JavaNotFound(LocalNodeError):
    """No JDK new enough for this Elasticsearch version."""


class DistributionError(LocalNodeError):
    """The distribution could not be downloaded or unpacked."""


def as_root() -> bool:
    return os.geteuid() == 0


# --- Java -------------------------------------------------------------------------

def java_major(jdk: Path) -> int | None:
    """The major version in a JDK's ``release`` file (``"25.0.3"`` -> 25, ``"1.8.0"`` -> 8)."""
    try:
        text = (jdk / "release").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("JAVA_VERSION="):
            parts = line.split("=", 1)[1].strip().strip('"').split(".")
            try:
                major = int(parts[0])
                return int(parts[1]) if major == 1 and len(parts) > 1 else major
            except ValueError:
                return None
    return None


def find_java(settings, *, jvm_root: Path = JVM_ROOT, environ=None) -> Path:
    """The JDK to run the node: ``es_java_home``, else the newest >= 21 under
    ``/usr/lib/jvm``, else ``JAVA_HOME`` if new enough."""
    if settings.es_java_home:
        jdk = Path(settings.es_java_home)
        major = java_major(jdk)
        if major is None or major < MIN_JAVA:
            raise JavaNotFound(
                f"SHELFMAP_ES_JAVA_HOME={jdk} is Java {major or 'of unknown version'}; "
                f"Elasticsearch {settings.es_version} needs Java {MIN_JAVA}+ "
                f"(point it at a JDK whose 'release' file says JAVA_VERSION >= {MIN_JAVA})")
        return jdk
    found: dict[Path, int | None] = {}
    if jvm_root.is_dir():
        for entry in sorted(jvm_root.iterdir()):
            real = entry.resolve()
            if real not in found and (real / "bin" / "java").exists():
                found[real] = java_major(real)
    good = [(major, str(jdk)) for jdk, major in found.items() if major and major >= MIN_JAVA]
    if good:
        return Path(max(good)[1])
    environ = os.environ if environ is None else environ
    if environ.get("JAVA_HOME"):
        jdk = Path(environ["JAVA_HOME"])
        major = java_major(jdk)
        if major and major >= MIN_JAVA:
            return jdk
        found[jdk] = major
    seen = ", ".join(f"{jdk} (Java {major or '?'})" for jdk, major in found.items()) or "none"
    raise JavaNotFound(f"Elasticsearch {settings.es_version} needs Java {MIN_JAVA}+; "
                       f"found: {seen}. Install a JDK {MIN_JAVA}+ (e.g. Temurin) or set "
                       f"SHELFMAP_ES_JAVA_HOME")


# --- the distribution ----------------------------------------------------------------

def ensure_user(name: str) -> tuple[int, int]:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        done = subprocess.run(["useradd", "--system", "--no-create-home",
                               "--shell", "/usr/sbin/nologin", name],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise LocalNodeError(f"Elasticsearch cannot run as root and creating the system "
                                 f"user {name!r} failed: {done.stderr.strip()}; create it or "
                                 f"set SHELFMAP_ES_USER_NAME to an existing user") from None
        entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


def chown_tree(path: Path, uid: int, gid: int) -> None:
    os.chown(path, uid, gid, follow_symlinks=False)
    for top, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(top, name), uid, gid, follow_symlinks=False)


def service_dir(path: Path) -> Path:
    """Create a folder under SERVICE_ROOT that every user can traverse."""
    path.mkdir(parents=True, exist_ok=True)
    for part in [path, *path.parents]:
        if part == SERVICE_ROOT.parent:
            break
        part.chmod(part.stat().st_mode | 0o755)
    return path


def _download(settings, zip_path: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise DistributionError(
            f"Maven (mvn) is needed to fetch Elasticsearch {settings.es_version}; install it "
            f"(apt-get install maven), or set SHELFMAP_ES_URL to use an existing cluster")
    tmp = zip_path.parent / f".download-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    artifact = ARTIFACT.format(version=settings.es_version)
    log.info("downloading %s with Maven", artifact)
    done = subprocess.run([mvn, "-q", "-B", "dependency:copy", f"-Dartifact={artifact}",
                           f"-DoutputDirectory={tmp}"], capture_output=True, text=True)
    fetched = tmp / zip_path.name
    if done.returncode != 0 or not fetched.is_file():
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        shutil.rmtree(tmp, ignore_errors=True)
        raise DistributionError(f"mvn could not fetch {artifact} (is the version published "
                                f"on Maven Central? is the network up?):\n{tail}")
    os.replace(fetched, zip_path)
    shutil.rmtree(tmp, ignore_errors=True)


def _unpack(zip_path: Path, target: Path) -> None:
    """Unpack to a temporary folder beside ``target`` and rename it into place."""
    tmp = target.parent / f".unpack-{target.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        with zipfile.ZipFile(zip_path) as archive:
            for info in archive.infolist():
                extracted = Path(archive.extract(info, tmp))
                mode = info.external_attr >> 16  # zipfile drops the Unix modes; restore them
                if mode and not info.is_dir():
                    extracted.chmod(stat.S_IMODE(mode) | 0o444)
        # Readable by the node's user whatever our umask; the files stay root's when we
        # are root, as in a packaged install (the node writes only its own folder).
        for folder, _, _ in os.walk(tmp):
            os.chmod(folder, 0o755)
        (top,) = [p for p in tmp.iterdir() if p.is_dir()]
        if not (top / "bin" / "elasticsearch").is_file():
            raise DistributionError(f"{zip_path} holds no bin/elasticsearch; delete it and retry")
        try:
            top.rename(target)
        except OSError:
            if not (target / "bin" / "elasticsearch").is_file():  # else another process won
                raise
    except (zipfile.BadZipFile, ValueError) as exc:
        zip_path.unlink(missing_ok=True)
        raise DistributionError(f"{zip_path} is not a usable zip ({exc}); it was deleted, "
                                f"run again to download it anew") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ensure_distribution(settings) -> Path:
    """Fetch and unpack the distribution once; return its home (with ``bin/elasticsearch``)."""
    version = settings.es_version
    downloads = settings.cache_path / "elasticsearch"
    if as_root():
        home = service_dir(SERVICE_ROOT / "dist") / version
    else:
        home = downloads / version
    if not (home / "bin" / "elasticsearch").is_file():
        downloads.mkdir(parents=True, exist_ok=True)
        zip_path = downloads / f"elasticsearch-{version}.zip"
        if not zip_path.is_file():
            _download(settings, zip_path)
        log.info("unpacking %s to %s", zip_path, home)
        home.parent.mkdir(parents=True, exist_ok=True)
        _unpack(zip_path, home)
    log.info("Elasticsearch distribution: %s", home)
    return home
