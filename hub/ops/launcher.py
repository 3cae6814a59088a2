"""A single-node Apache Kafka broker (KRaft) started from the Maven Central jars, without Docker."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from string import Template

from hub.bus.security import (
    ADMIN_USER,
    BROKER_USER,
    SUPER_USERS,
    ClientSecurity,
    PasswordStore,
    SecurityConfigError,
    secrets_dir,
)
from hub.ops import certs
from hub.settings import PROJECT_ROOT, HubSettings

DEPLOY_DIR = PROJECT_ROOT / "deploy" / "local-kafka"
HOST = "127.0.0.1"
MIN_JAVA = 17
INSECURE_WARNING = "local broker: PLAINTEXT without authentication, for development only"
SECURE_NOTE = (
    "local broker: SASL_SSL (SCRAM-SHA-512 over TLS), ACLs deny by default; "
    "the controller listener is loopback-only with mutual TLS"
)


#: A broker log line that tells of log recovery (after a crash every segment is re-read).
RECOVERY_LINE = re.compile(
    r"^\[[^]]*\] (?:INFO|WARN) .*(?:[Rr]ecover|Completed load of|Loaded \d+ logs|"
    r"Loading producer state|\d+/\d+ completed)"
)
#: Past the timeout, a recovering broker is given this long between two progress lines.
RECOVERY_STALL = 60.0

#: Tells the operator what a wait is waiting for (one line each).
Progress = Callable[[str], None]


class LauncherError(RuntimeError):
    """A broker problem the operator can fix; the message is one line that says how."""


@dataclass(frozen=True)
class Instance:
    """What a formatted broker directory was made with; its ports are fixed from then on."""

    cluster_id: str
    port: int
    controller_port: int
    kafka_version: str
    security: str = "PLAINTEXT"
    #: Where the TLS files and SCRAM passwords of a secured instance were written.
    secrets_dir: str = ""

    @property
    def bootstrap(self) -> str:
        """The bootstrap address clients use."""
        return f"{HOST}:{self.port}"


@dataclass(frozen=True)
class BrokerStatus:
    """The truth about one local broker, read from its process and its port."""

    running: bool
    answering: bool
    pid: int | None
    bootstrap: str | None
    directory: Path
    detail: str


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    """True when something already listens on `port` on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((HOST, port)) == 0


def find_java() -> str:
    """The java executable (JAVA_HOME first), checked to be version 17 or newer."""
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home) / "bin" / "java" if java_home else None
    java = str(candidate) if candidate and candidate.exists() else shutil.which("java")
    if java is None:
        raise LauncherError(
            "Java not found: install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless) "
            "or set JAVA_HOME"
        )
    out = subprocess.run(  # noqa: S603 - the path is the user's own java
        [java, "-version"], capture_output=True, text=True, check=False
    ).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    major = int(match.group(1)) if match else 0
    if major == 1 and match and match.group(2):
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise LauncherError(f"Java {MIN_JAVA}+ needed, found {major or 'unknown'} at {java}")
    return java


class LocalKafka:
    """One broker instance in one directory: jars, formatting, start, stop and status."""

    def __init__(
        self,
        directory: Path,
        *,
        port: int = 9092,
        controller_port: int = 9093,
        kafka_version: str = "4.1.1",
        cache_dir: Path | None = None,
        lib_dir: Path | None = None,
        heap: str = "1g",
        secure: bool = False,
        secrets: Path | None = None,
        extra_properties: dict[str, str] | None = None,
    ) -> None:
        self.directory = directory
        self.secure = secure
        self.secrets = secrets or directory / "secrets"
        # Appended to server.properties; a later key wins (java.util.Properties), so a test
        # can add a listener without a template of its own.
        self.extra_properties = dict(extra_properties or {})
        self.requested_port = port
        self.requested_controller_port = controller_port
        self.kafka_version = kafka_version
        self.cache_dir = cache_dir or Path.home() / ".cache" / "onderwijs-jeugd-hub"
        self.given_lib_dir = lib_dir
        self.heap = heap

    @classmethod
    def from_settings(cls, settings: HubSettings) -> LocalKafka:
        """The instance the settings describe."""
        return cls(
            settings.kafka_dir,
            port=settings.kafka_port,
            controller_port=settings.kafka_controller_port,
            kafka_version=settings.kafka_version,
            cache_dir=settings.cache_dir,
            lib_dir=settings.kafka_lib_dir,
            heap=settings.kafka_heap,
            secure=settings.kafka_security_protocol == "SASL_SSL",
            secrets=secrets_dir(settings),
        )

    @classmethod
    def ephemeral(cls, directory: Path, settings: HubSettings, heap: str) -> LocalKafka:
        """A plaintext broker of its own in `directory` on free ports (tests, benchmarks)."""
        return cls(
            directory,
            port=0,
            controller_port=0,
            kafka_version=settings.kafka_version,
            cache_dir=settings.cache_dir,
            lib_dir=settings.kafka_lib_dir,
            heap=heap,
        )

    # -- paths -------------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        """Kafka's log.dirs: the records, surviving restarts."""
        return self.directory / "data"

    @property
    def log_dir(self) -> Path:
        """Where the broker's own log files go."""
        return self.directory / "logs"

    @property
    def pid_file(self) -> Path:
        """The pid of the running broker process."""
        return self.directory / "broker.pid"

    @property
    def instance_file(self) -> Path:
        """Cluster id and ports, written once at formatting."""
        return self.directory / "instance.json"

    @property
    def properties_file(self) -> Path:
        """The rendered server.properties."""
        return self.directory / "server.properties"

    def _secrets(self) -> Path:
        """The formatted instance's secrets directory; the configured one before formatting."""
        instance = self.instance()
        return Path(instance.secrets_dir) if instance and instance.secrets_dir else self.secrets

    @property
    def tls(self) -> certs.TlsFiles:
        """The broker's PEM keystore and the CA, made on the first secured start."""
        return certs.TlsFiles(self._secrets() / "tls")

    @property
    def passwords(self) -> PasswordStore:
        """The SCRAM password files of every user, made on the first secured start."""
        return PasswordStore(self._secrets() / "users")

    def admin_security(self) -> ClientSecurity:
        """How the operator's admin user reaches this (secured) broker."""
        return ClientSecurity(
            "SASL_SSL",
            "SCRAM-SHA-512",
            ADMIN_USER,
            self.passwords.read(ADMIN_USER),
            self.tls.ca_cert,
        )

    def _probe_security(self, instance: Instance) -> ClientSecurity | None:
        """How to ask this instance for metadata; None when its secrets are gone."""
        if instance.security != "SASL_SSL":
            return ClientSecurity()
        try:
            return self.admin_security()
        except SecurityConfigError:
            return None

    # -- jars --------------------------------------------------------------------------------

    def jars(self) -> Path:
        """The directory with Kafka's runtime jars, resolved through Maven on first use."""
        if self.given_lib_dir is not None:
            if not any(self.given_lib_dir.glob("kafka_2.13-*.jar")):
                raise LauncherError(
                    f"HUB_KAFKA_LIB_DIR={self.given_lib_dir} holds no kafka_2.13 jar"
                )
            return self.given_lib_dir
        pom = DEPLOY_DIR / "pom.xml"
        stamp_value = hashlib.sha256(pom.read_bytes() + self.kafka_version.encode()).hexdigest()
        lib = self.cache_dir / f"kafka-{self.kafka_version}" / "lib"
        stamp = lib / ".resolved"
        if stamp.exists() and stamp.read_text() == stamp_value:
            return lib
        mvn = shutil.which("mvn")
        if mvn is None:
            raise LauncherError(
                "Maven not found: install it (apt-get install maven) or set HUB_KAFKA_LIB_DIR "
                "to the libs/ directory of an unpacked Apache Kafka"
            )
        partial = lib.with_name("lib.partial")
        shutil.rmtree(partial, ignore_errors=True)
        result = subprocess.run(  # noqa: S603 - fixed arguments
            [
                mvn,
                "-B",
                "-q",
                "-f",
                str(pom),
                f"-Dkafka.version={self.kafka_version}",
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={partial}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not any(partial.glob("kafka_2.13-*.jar")):
            output = result.stdout + result.stderr
            if re.search(r"transfer|resolve|UnknownHost|Connect|timed out", output, re.I):
                raise LauncherError(
                    "Maven could not resolve Apache Kafka from Maven Central (offline?); "
                    "set HUB_KAFKA_LIB_DIR to an unpacked Kafka's libs/ or KAFKA_BOOTSTRAP_SERVERS "
                    "to a running broker. No other broker is substituted."
                )
            last = output.strip().splitlines()[-1:] or ["no output"]
            raise LauncherError(f"mvn failed to copy the Kafka jars: {last[0][:200]}")
        shutil.rmtree(lib, ignore_errors=True)
        partial.rename(lib)
        stamp.write_text(stamp_value)
        return lib

    # -- state -------------------------------------------------------------------------------

    def instance(self) -> Instance | None:
        """The formatted instance, or None before the first start."""
        if not self.instance_file.exists():
            return None
        return Instance(**json.loads(self.instance_file.read_text()))

    def _pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def _is_our_broker(self, pid: int) -> bool:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        return b"kafka.Kafka" in cmdline and str(self.properties_file).encode() in cmdline

    def status(self) -> BrokerStatus:
        """Whether the broker process lives and answers a metadata request."""
        instance = self.instance()
        bootstrap = instance.bootstrap if instance else None
        pid = self._pid()
        if pid is None:
            return BrokerStatus(False, False, None, bootstrap, self.directory, "stopped")
        if not self._is_our_broker(pid):
            self.pid_file.unlink(missing_ok=True)
            return BrokerStatus(
                False,
                False,
                None,
                bootstrap,
                self.directory,
                f"stopped (process {pid} is gone: killed or crashed; see {self.log_dir})",
            )
        probe = self._probe_security(instance) if instance is not None else None
        answering = (
            probe is not None
            and bootstrap is not None
            and answers_metadata(bootstrap, timeout=3.0, security=probe)
        )
        detail = "running" if answering else "process alive but not answering metadata requests"
        return BrokerStatus(True, answering, pid, bootstrap, self.directory, detail)

    # -- lifecycle ---------------------------------------------------------------------------

    def _format(self, java: str, lib: Path) -> Instance:
        port = self.requested_port or free_port()
        controller_port = self.requested_controller_port or free_port()
        while controller_port == port:
            controller_port = free_port()
        instance = Instance(
            str(_kafka_uuid()),
            port,
            controller_port,
            self.kafka_version,
            "SASL_SSL" if self.secure else "PLAINTEXT",
            str(self.secrets) if self.secure else "",
        )
        scram: list[str] = []
        if self.secure:
            self.secrets.mkdir(parents=True, exist_ok=True)
            self.secrets.chmod(0o700)
            certs.init(self.tls.directory)
            from hub.ops.acl import bus_users  # the shipped policy's school boards too

            for user in bus_users():
                password = self.passwords.ensure(user)
                scram += ["--add-scram", f"SCRAM-SHA-512=[name={user},password={password}]"]
        self._render(instance)
        result = subprocess.run(  # noqa: S603 - fixed arguments
            [
                java,
                "-cp",
                f"{lib}/*",
                f"-Dlog4j2.configurationFile={self.directory / 'log4j2.properties'}",
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "-t",
                instance.cluster_id,
                "-c",
                str(self.properties_file),
                *scram,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            last = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["no output"]
            raise LauncherError(f"formatting the broker storage failed: {last[0][:200]}")
        self.instance_file.write_text(json.dumps(asdict(instance), indent=2))
        return instance

    def _render(self, instance: Instance) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(exist_ok=True)
        values: dict[str, object] = {
            "host": HOST,
            "port": instance.port,
            "controller_port": instance.controller_port,
            "data_dir": self.data_dir,
            "log_dir": self.log_dir,
        }
        server_template = "server.properties.template"
        if instance.security == "SASL_SSL":
            server_template = "server-secure.properties.template"
            values |= {
                "keystore": self.tls.broker_keystore,
                "truststore": self.tls.ca_cert,
                "broker_user": BROKER_USER,
                "broker_password": self.passwords.read(BROKER_USER),
                "super_users": ";".join(SUPER_USERS),
            }
        for name, target in (
            (server_template, self.properties_file),
            ("log4j2.properties.template", self.directory / "log4j2.properties"),
        ):
            text = Template((DEPLOY_DIR / name).read_text()).substitute(values)
            if target == self.properties_file and self.extra_properties:
                text += "\n# Added by the launcher's caller.\n" + "".join(
                    f"{key}={value}\n" for key, value in self.extra_properties.items()
                )
            # The secured properties hold the broker's own password: owner-only from the start.
            target.touch(mode=0o600, exist_ok=True)
            target.chmod(0o600)
            target.write_text(text)

    def up(self, timeout: float = 90.0, progress: Progress | None = None) -> BrokerStatus:
        """Start the broker unless it runs already; return once it answers metadata requests.

        Past `timeout`, a broker whose log still shows recovery progress (after a crash) is
        waited for, and `progress` is told so.
        """
        current = self.status()
        if current.running:
            running = self.instance()
            if not current.answering and running is not None:
                self.wait_until_answering(
                    current.pid or 0,
                    current.bootstrap or "",
                    timeout,
                    security=self._probe_security(running),
                    progress=progress,
                )
            return self.status()
        java = find_java()
        lib = self.jars()
        instance = self.instance()
        if instance is not None and instance.kafka_version != self.kafka_version:
            raise LauncherError(
                f"{self.directory} holds Kafka {instance.kafka_version} data; "
                f"remove it or set HUB_KAFKA_VERSION={instance.kafka_version}"
            )
        wanted = "SASL_SSL" if self.secure else "PLAINTEXT"
        if instance is not None and instance.security != wanted:
            raise LauncherError(
                f"{self.directory} holds a {instance.security} broker, not {wanted}: remove it "
                f"(hub kafka down; rm -r {self.directory}) or set "
                f"HUB_KAFKA_SECURITY_PROTOCOL={instance.security}"
            )
        for port in (
            (instance.port, instance.controller_port)
            if instance
            else (
                self.requested_port,
                self.requested_controller_port,
            )
        ):
            if port and port_in_use(port):
                raise LauncherError(
                    f"port {port} is in use by another program: stop it, or set "
                    "HUB_KAFKA_PORT / HUB_KAFKA_CONTROLLER_PORT (0 picks a free port) "
                    "with a fresh HUB_STATE_DIR"
                )
        try:
            if instance is None:
                instance = self._format(java, lib)
            else:
                self._render(instance)
        except SecurityConfigError as exc:
            raise LauncherError(str(exc)) from None
        with (self.log_dir / "stdout.log").open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 - fixed arguments
                [
                    java,
                    f"-Xmx{self.heap}",
                    "-Xms256m",
                    "-XX:+UseG1GC",
                    "-XX:MaxGCPauseMillis=20",
                    "-Djava.awt.headless=true",
                    f"-Dkafka.logs.dir={self.log_dir}",
                    f"-Dlog4j2.configurationFile={self.directory / 'log4j2.properties'}",
                    "-cp",
                    f"{lib}/*",
                    "kafka.Kafka",
                    str(self.properties_file),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # the broker outlives `hub kafka up`
            )
        self.pid_file.write_text(str(process.pid))
        self.wait_until_answering(
            process.pid,
            instance.bootstrap,
            timeout,
            process,
            self._probe_security(instance),
            progress=progress,
        )
        return self.status()

    def wait_until_answering(
        self,
        pid: int,
        bootstrap: str,
        timeout: float,
        process: subprocess.Popen[bytes] | None = None,
        security: ClientSecurity | None = None,
        *,
        progress: Progress | None = None,
        stall: float = RECOVERY_STALL,
    ) -> None:
        """Return once the broker answers; LauncherError when it exits, or when it is silent
        past `timeout` (a broker recovering its logs gets `stall` seconds per progress line)."""
        started = time.monotonic()
        deadline = started + timeout
        log = _LogTail(self.log_dir / "server.log")
        told = 0.0
        while True:
            exited = process.poll() is not None if process else not _alive(pid)
            if exited:
                self.pid_file.unlink(missing_ok=True)
                raise LauncherError(f"the broker exited during start: {self._last_error()}")
            if answers_metadata(bootstrap, timeout=2.0, security=security):
                return
            now = time.monotonic()
            line = log.recovery_line()
            if line is not None:
                deadline = max(deadline, now + stall)
                if progress is not None and now - told >= 5.0:
                    told = now
                    progress(f"broker recovering its logs ({now - started:.0f}s): {line}")
            if now >= deadline:
                break
            time.sleep(0.3)
        if log.recovering:
            raise LauncherError(
                f"the broker showed no recovery progress for {stall:.0f}s and does not answer; "
                f"see {self.log_dir}/server.log"
            )
        raise LauncherError(
            f"the broker did not answer within {timeout:.0f}s; see {self.log_dir}/server.log"
        )

    def _last_error(self) -> str:
        lines: list[str] = []
        for name in ("server.log", "stdout.log"):
            path = self.log_dir / name
            if path.exists():
                lines += path.read_text(errors="replace").splitlines()[-200:]
        for line in reversed(lines):
            if "Address already in use" in line:
                return "a port is already in use; set HUB_KAFKA_PORT (0 picks a free port)"
            if re.search(r"\b(ERROR|FATAL|Exception)\b", line):
                return line.strip()[:240]
        return f"no error logged; see {self.log_dir}/server.log"

    def down(self, timeout: float = 60.0) -> bool:
        """Stop the broker cleanly (SIGTERM, then SIGKILL after `timeout`); False if none ran."""
        current = self.status()
        if not current.running or current.pid is None:
            return False
        os.kill(current.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(current.pid):
            time.sleep(0.2)
        if _alive(current.pid):
            os.kill(current.pid, signal.SIGKILL)
            _wait_gone(current.pid, 10.0)
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would (for fault tests)."""
        pid = self._pid()
        if pid is not None and self._is_our_broker(pid):
            os.kill(pid, signal.SIGKILL)
            _wait_gone(pid, 10.0)


class _LogTail:
    """The lines a log file gains from now on, read a little at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0
        self.recovering = False

    def recovery_line(self) -> str | None:
        """The newest recovery-progress line written since the last call, shortened."""
        try:
            with self.path.open("rb") as log:
                if log.seek(0, os.SEEK_END) < self.offset:
                    self.offset = 0  # rolled over: a new file from its start
                log.seek(self.offset)
                chunk = log.read(4 * 1024 * 1024)
        except FileNotFoundError:
            return None
        end = chunk.rfind(b"\n") + 1
        self.offset += end
        found = None
        for raw in chunk[:end].decode(errors="replace").splitlines():
            if RECOVERY_LINE.search(raw):
                found = raw.split("] ", 1)[-1].strip()[:160]
        self.recovering = self.recovering or found is not None
        return found


def _kafka_uuid() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        # Like Kafka's own Uuid: an id starting with '-' reads as an option to kafka-storage.
        if not text.startswith("-"):
            return text


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of this process counts as gone.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    if state == "Z":
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        return False
    return True


def _wait_gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)


def answers_metadata(
    bootstrap: str, timeout: float = 3.0, security: ClientSecurity | None = None
) -> bool:
    """True when a broker at `bootstrap` answers a metadata request within `timeout` seconds."""
    from hub.bus.client import fetch_metadata

    def check() -> None:
        asyncio.run(asyncio.wait_for(fetch_metadata(bootstrap, security=security), timeout))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        runner = check
    else:  # called from async code: asyncio.run needs a thread of its own

        def runner() -> None:
            with ThreadPoolExecutor(max_workers=1) as pool:
                pool.submit(check).result()

    try:
        runner()
    except Exception:
        return False
    return True
