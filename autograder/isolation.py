"""What keeps student code apart from the grader, from the other students and from the network.

Three levels, the best this machine allows (``detect``):

* ``namespaces`` (root with bubblewrap): the fork server starts in a filesystem view that holds
  only an allow-list — the Python installation and its packages (read-only), the sandbox runtime,
  a spool of submission copies — with its own PID, IPC, UTS and network namespaces. Each
  submission then gets, from ``sandbox/jail.py``, namespaces of its own, a size-limited tmpfs as
  ``/work`` and ``/tmp``, a user of its own, memory and process cgroups where the machine has them,
  and a seccomp filter refusing internet sockets. Nothing of the checkout, no other submission,
  no class folder is in view, whatever their permissions: this is also what lets a kit cloned
  under a ``0700`` folder grade as root.
* ``user-namespaces`` (an ordinary user, bubblewrap and unprivileged user namespaces): the same
  view and namespaces; all workers keep the grading user's uid, without any capability.
* ``basic``: resource limits, the seccomp filter, and as root the ``nobody`` user (with a network
  namespace where ``unshare --net`` is allowed) — Gradescope's Docker default capabilities, or a
  machine without bubblewrap. The README says what that leaves open.
"""

from __future__ import annotations

import functools
import itertools
import os
import shutil
import site
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

VIEW = "/rnnkit"  # the fork server's own folders in its view (``sandbox/jail.py``)
WORK = f"{VIEW}/work"  # the worker's folder: its copy of the submission
UNPRIVILEGED = 65534  # nobody / nogroup: the worker's user at the basic level
BASIC_PROCESSES = 512  # nobody's processes, counted per user: shared by the workers in flight
# A user per submission at the namespaces level: above any real account, unique per grading process.
UID_BASE = 1_000_000_000
ETC = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "alternatives",
    "localtime",
    "fonts",
    "mime.types",
)
SYSTEM = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


@dataclass(frozen=True)
class Isolation:
    """The isolation in force; recorded in every report and printed in the class summary."""

    level: str  # "namespaces" | "user-namespaces" | "basic" | "portable"
    filesystem: str
    processes: str
    network: str
    user: str
    memory: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    def summary(self) -> str:
        return (
            f"isolation: {self.level} — files: {self.filesystem}; processes: {self.processes}; "
            f"network: {self.network}; user: {self.user}; memory: {self.memory}"
        )


def euid() -> int:
    """The effective user id; -1 where there is none (Windows): never root."""
    return os.geteuid() if hasattr(os, "geteuid") else -1


@functools.cache
def portable() -> bool:
    """Whether workers must run without the POSIX means of the fork server (``fork``, Unix sockets
    passing descriptors, ``resource`` limits, ``SIGALRM``): Windows, or ``RNNKIT_PORTABLE=1``.
    Then each worker is a plain child process on pipes, timed by the grader (``channel.py``)."""
    import signal
    import socket

    try:
        import resource  # noqa: F401
    except ImportError:
        return True
    posix = (
        hasattr(os, "fork")
        and hasattr(socket, "AF_UNIX")
        and hasattr(socket, "send_fds")
        and hasattr(signal, "SIGALRM")
        and hasattr(signal, "setitimer")
    )
    return not posix or os.environ.get("RNNKIT_PORTABLE") == "1"


@functools.cache
def detect() -> Isolation:
    """The best level this process can have (probed once: a bubblewrap run costs ~20 ms)."""
    if portable():
        # A student's own machine (check()) needs no sandbox against its owner; a class is never graded so.
        return Isolation(
            "portable",
            "the worker's own copy of the files; nothing else is hidden",
            "a child process, killed at its deadline",
            "not restricted",
            "the current user",
            "not limited",
        )
    root = euid() == 0
    memory = (
        "cgroup per submission" if root and cgroup_roots() else "address-space limit per process"
    )
    if bubblewrap_works():
        return Isolation(
            "namespaces" if root else "user-namespaces",
            "allow-list view (Python, sandbox runtime, the submission's own copy in a private tmpfs)",
            "PID namespace per submission: nothing outlives it",
            "none (network namespace per submission; internet sockets refused by seccomp)",
            "a user per submission" if root else "the grading user, without capabilities",
            memory if root else "address-space limit per process",
        )
    return Isolation(
        "basic",
        "everything the worker's user may read"
        + (" (kit hidden from nobody by permissions)" if root else "")
        + (
            "; the Python installation, private to root, is mirrored by hard links for nobody"
            if root and _python_hidden()
            else ""
        ),
        "process group per submission (a double fork can escape it)",
        (
            "none (network namespace)"
            if root and network_namespaces()
            else "internet sockets refused by seccomp"
        ),
        "nobody (shared by all submissions)"
        if root
        else "the grading user (shared with the grader)",
        "address-space limit per process",
    )


@functools.cache
def bubblewrap_works() -> bool:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    command = [
        bwrap,
        *_view_arguments(None, None, {}),
        "--",
        sys.executable,
        "-I",
        "-S",
        "-c",
        "pass",
    ]
    try:
        return subprocess.run(command, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def zygote_command(
    runtime: Path, spool: Path | None, cgroups: dict[str, Path], python: list[str]
) -> list[str]:
    """The command line that starts a fork server at the detected level (``python`` is its own part)."""
    if detect().level != "basic":
        return [
            shutil.which("bwrap") or "bwrap",
            *_view_arguments(runtime, spool, cgroups),
            "--",
            *python,
        ]
    if euid() != 0:
        return python
    prefix = ["unshare", "--net", "--"] if network_namespaces() else []
    # The fork server becomes nobody itself, once its imports are done and before it forks: a
    # Python installation nobody cannot reach (under root's 0700 home, or a clone in a 0700
    # folder) is still loaded, and no student code ever runs as root.
    return prefix + [*python, f"--become={UNPRIVILEGED}:{BASIC_PROCESSES}"]


def _reachable(path: Path) -> bool:
    """Can ``nobody`` reach ``path`` (o+x on it and on every folder above)?"""
    try:
        return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])
    except OSError:
        return False


def _python_hidden() -> bool:
    return not all(
        _reachable(p)
        for p in (Path(sys.executable).parent, Path(sys.base_prefix), Path(sys.prefix))
    )


def worker_python() -> str:
    """The interpreter the fork server runs. At the basic level as root, an installation that
    ``nobody`` cannot reach (under root's 0700 home, or a virtual environment in a clone inside a
    0700 folder) is first mirrored by hard links into a world-traversable folder (a fraction of a
    second for torch's 40,000 files; copied where links cannot cross filesystems)."""
    if euid() != 0 or detect().level != "basic" or not _python_hidden():
        return sys.executable
    return str(_python_view(Path(sys.base_prefix), Path(sys.prefix)))


@functools.cache
def _python_view(base: Path, prefix: Path) -> Path:
    """``<view>/base`` mirrors the installation, ``<view>/env`` the virtual environment (its
    ``pyvenv.cfg`` pointing at the mirrored installation); returns the view's interpreter."""
    import hashlib
    import tempfile

    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    stamp = "|".join(f"{p}:{os.stat(p).st_mtime_ns}" for p in (base, prefix))
    key = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    view = Path(tempfile.gettempdir()) / f"rnnkit-python-{key}"
    interpreter = view / ("env" if prefix != base else "base") / "bin" / version
    if not _reachable(view.parent):
        raise RuntimeError(
            f"Python lives where nobody cannot read it ({base}), and the temporary "
            f"folder {view.parent} is private too: set TMPDIR to a folder every user "
            "can traverse, or install bubblewrap"
        )
    if view.is_dir() and view.stat().st_uid == 0 and (view / "ready").exists():
        return interpreter
    build = Path(tempfile.mkdtemp(prefix=f"rnnkit-python-{key}-"))
    try:
        _mirror(base, build / "base")
        if prefix != base:
            _mirror(prefix, build / "env")
            for name in ("python", "python3", version):  # links into the hidden installation
                link = build / "env" / "bin" / name
                if link.is_symlink() or name == version:
                    link.unlink(missing_ok=True)
                    link.symlink_to(view / "base" / "bin" / version)
            config = build / "env" / "pyvenv.cfg"
            lines = [
                line
                for line in config.read_text().splitlines()
                if line.split("=")[0].strip() not in ("home", "executable", "command")
            ]
            config.unlink()  # a hard link: writing through it would change the original
            config.write_text("\n".join([f"home = {view / 'base' / 'bin'}", *lines]) + "\n")
        (build / "ready").touch()
        os.chmod(build, 0o755)
        try:
            os.rename(build, view)
        except OSError:  # another grading process built it first
            shutil.rmtree(build, ignore_errors=True)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return interpreter


def _mirror(source: Path, target: Path) -> None:
    """Hard links of ``source``'s files under ``target`` (folders 0755), copies across filesystems."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst, follow_symlinks=False)
        except OSError:
            shutil.copy2(src, dst, follow_symlinks=False)

    shutil.copytree(source, target, symlinks=True, copy_function=link)
    for folder in [target, *(p for p in target.rglob("*") if p.is_dir() and not p.is_symlink())]:
        os.chmod(folder, 0o755)


def under_tmp() -> list[str]:
    """The bound Python paths that a worker's private ``/tmp`` would hide: put back by the jail."""
    return [str(p) for p in python_paths() if p.is_relative_to("/tmp")]


def python_paths() -> list[Path]:
    """What the worker's Python needs: the installation, the virtual environment, their packages."""
    candidates = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        os.path.dirname(os.path.realpath(sys.executable)),
        *site.getsitepackages(),
        *(sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")),
    }
    paths: list[Path] = []
    for candidate in sorted(candidates):
        for path in {Path(candidate), Path(os.path.realpath(candidate))}:
            if path.exists() and not path.is_relative_to("/usr"):
                paths.append(path)
    # A folder inside another bound one is bound with it.
    paths = sorted(set(paths), key=lambda p: len(p.parts))
    return [p for i, p in enumerate(paths) if not any(p.is_relative_to(q) for q in paths[:i])]


def _view_arguments(
    runtime: Path | None, spool: Path | None, cgroups: dict[str, Path]
) -> list[str]:
    args = [
        "--die-with-parent",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-net",
        "--unshare-cgroup-try",
        "--new-session",
        "--cap-add",
        "ALL",
    ]
    if euid() != 0:
        args[:0] = ["--unshare-user", "--uid", "0", "--gid", "0"]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in SYSTEM:
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    args += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        "--dir",
        f"{VIEW}/work",
        "--dir",
        f"{VIEW}/scratch",
    ]
    # bubblewrap makes missing parent folders 0700: these must be traversable by the workers' users.
    bound = [*python_paths(), *([runtime] if runtime is not None else [])]
    parents = sorted(
        {
            str(p)
            for path in bound
            for p in path.parents
            if str(p) not in ("/", "/usr", "/tmp") and not p.is_relative_to("/usr")
        },
        key=lambda p: p.count("/"),
    )
    for parent in parents:
        args += ["--perms", "0755", "--dir", parent]
    for path in bound:
        args += ["--ro-bind", str(path), str(path)]
    if spool is not None:
        args += ["--ro-bind", str(spool), f"{VIEW}/spool"]
    for controller, path in cgroups.items():
        args += ["--bind", str(path), f"{VIEW}/cgroup/{controller}"]
    return args + ["--chdir", "/tmp", "--setenv", "HOME", "/tmp"]


@functools.cache
def cgroup_roots() -> dict[str, Path]:
    """Writable cgroup folders for memory and processes (v2 unified, or v1 per controller)."""
    found: dict[str, Path] = {}
    unified = Path("/sys/fs/cgroup")
    if (unified / "cgroup.controllers").exists():
        controllers = (unified / "cgroup.controllers").read_text().split()
        if {"memory", "pids"} <= set(controllers) and os.access(unified, os.W_OK):
            return {"unified": unified}
        return {}
    for controller in ("memory", "pids"):
        path = unified / controller
        if path.is_dir() and os.access(path, os.W_OK):
            found[controller] = path
    return found


class Cgroups:
    """One grading process's cgroup folders: ``rnnkit-<pid>/<slot>`` per submission, removed after it."""

    def __init__(self) -> None:
        self.roots: dict[str, Path] = {}
        if euid() != 0 or detect().level != "namespaces":
            return
        for controller, path in cgroup_roots().items():
            folder = path / f"rnnkit-{os.getpid()}"
            try:
                folder.mkdir(exist_ok=True)
                if controller == "unified":
                    (path / "cgroup.subtree_control").write_text("+memory +pids")
                    (folder / "cgroup.subtree_control").write_text("+memory +pids")
            except OSError:
                continue
            self.roots[controller] = folder

    def create(self, slot: str, memory_bytes: int, processes: int) -> list[str]:
        """Make the submission's groups; returns their ``cgroup.procs`` as the fork server sees them."""
        procs = []
        for controller, folder in self.roots.items():
            group = folder / slot
            try:
                group.mkdir()
                settings = {
                    "memory": {"memory.limit_in_bytes": memory_bytes},
                    "pids": {"pids.max": processes},
                    "unified": {
                        "memory.max": memory_bytes,
                        "memory.swap.max": 0,
                        "pids.max": processes,
                    },
                }
                for name, value in settings[controller].items():
                    if (group / name).exists():
                        (group / name).write_text(str(value))
                if controller == "memory" and (group / "memory.memsw.limit_in_bytes").exists():
                    (group / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
            except OSError:
                continue
            procs.append(f"{VIEW}/cgroup/{controller}/{slot}/cgroup.procs")
        return procs

    def remove(self, slot: str) -> None:
        for folder in self.roots.values():
            group = folder / slot
            for _ in range(50):  # the kernel frees the group a moment after its last process exits
                try:
                    group.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    import time

                    time.sleep(0.02)

    def close(self) -> None:
        for folder in self.roots.values():
            try:
                folder.rmdir()
            except OSError:
                pass


@functools.cache
def network_namespaces() -> bool:
    """Can a basic-level worker get a network namespace (``unshare --net``)? Not in a container
    without CAP_SYS_ADMIN (Docker's default, hence Gradescope's): the seccomp filter remains."""
    if euid() != 0 or not shutil.which("unshare"):
        return False
    try:
        ok = (
            subprocess.run(
                ["unshare", "--net", "--", "true"], capture_output=True, timeout=20
            ).returncode
            == 0
        )
    except (OSError, subprocess.SubprocessError):
        ok = False
    if not ok:
        print(
            "rnnkit: `unshare --net` is not permitted here: student code runs as nobody, and its internet "
            "sockets are refused by a seccomp filter",
            file=sys.stderr,
            flush=True,
        )
    return ok


_uids = itertools.count()


def user_tasks() -> int:
    """Processes and threads of this real user now (what RLIMIT_NPROC counts)."""
    uid, count = os.getuid(), 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                count += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            continue
    return count


def new_uid() -> int | None:
    """The submission's own user at the namespaces level (None elsewhere): unique among the
    submissions in flight, since each grading process has its own thousand."""
    if euid() != 0 or detect().level != "namespaces":
        return None
    return UID_BASE + (os.getpid() % 3_000_000) * 1000 + next(_uids) % 1000
