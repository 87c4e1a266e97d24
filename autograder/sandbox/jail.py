"""Inside the fork server: give one submission its own namespaces, files and user, then drop
every privilege before student code runs.

The grader starts the fork server in a view of the filesystem that holds only an allow-list
(``autograder/isolation.py``). For each submission the server forks a *monitor* that:

1. joins the submission's cgroups (memory, processes) when the grader made some;
2. unshares mount, PID, IPC, UTS and network namespaces;
3. copies the submission from ``/rnnkit/spool/<slot>`` into a size-limited tmpfs, binds it on
   ``/rnnkit/work`` and a private ``/tmp`` beside it (putting back, read-only, any part of the
   Python installation that lived under ``/tmp``), and detaches the spool and the cgroups (the
   other submissions, the limits) from its view;
4. forks the worker, PID 1 of the new PID namespace: when it dies, the kernel kills everything
   the submission started, however it detached itself.

The worker mounts its own ``/proc``, becomes the submission's user (or, in a user namespace,
loses every capability), refuses internet sockets with a seccomp filter, and serves.
Nothing here runs student code; everything is done before the first request is read.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import shutil
import signal
import struct
from pathlib import Path

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
AF_INET, AF_INET6, AF_PACKET = 2, 10, 17
VIEW = "/rnnkit"  # where the fork server's view keeps the spool, the scratch tmpfs and the worker's folder
EACCES, ENOSYS = 13, 38

_libc = ctypes.CDLL(None, use_errno=True)


class JailError(OSError):
    """A namespace, mount or privilege step failed: the environment's fault, never the student's."""


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise JailError(errno, f"{what}: {os.strerror(errno)}")


def _mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
    encode = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(
        _libc.mount(
            encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)
        ),
        f"mount {target}",
    )


def monitor(request: dict, report_pid) -> None:
    """In the fork server's child (root in the sandbox view): set the submission up, fork its worker,
    tell ``report_pid`` the worker's pid, wait for it and leave with its status. Never returns."""
    status = 1
    try:
        for procs in request.get("cgroups", []):
            Path(procs).write_text("0")  # 0: this process; the worker inherits the groups
        flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET
        _check(_libc.unshare(flags), "unshare")
        _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing mounted here reaches the server
        uid = request.get("uid")
        owner = uid if uid is not None else os.getuid()
        scratch = f"{VIEW}/scratch"
        _mount(
            "rnnkit",
            scratch,
            "tmpfs",
            MS_NOSUID | MS_NODEV,
            f"size={int(request['scratch_bytes'])},mode=0755",
        )
        for name in ("work", "tmp"):
            os.mkdir(f"{scratch}/{name}", 0o700)
            os.chown(f"{scratch}/{name}", owner, owner)
        _copy_owned(Path(VIEW) / "spool" / request["slot"], Path(scratch) / "work", owner)
        _mount(f"{scratch}/work", f"{VIEW}/work", None, MS_BIND)
        _private_tmp(f"{scratch}/tmp", request.get("under_tmp", []))
        hidden = [f"{VIEW}/scratch", f"{VIEW}/spool"] + [
            str(p) for p in Path(VIEW, "cgroup").glob("*")
        ]
        for path in hidden:
            if os.path.ismount(path):
                _check(_libc.umount2(path.encode(), MNT_DETACH), f"umount {path}")
        pid = os.fork()
        if pid == 0:
            worker(request, namespaced=True)  # never returns
        report_pid(pid)
        _, raw = os.waitpid(pid, 0)
        if os.WIFSIGNALED(raw):
            signal.signal(os.WTERMSIG(raw), signal.SIG_DFL)
            os.kill(os.getpid(), os.WTERMSIG(raw))
        status = os.WEXITSTATUS(raw)
    except BaseException:  # noqa: BLE001  (reported to the grader as a worker that never answered)
        report_pid(-1)
    finally:
        os._exit(status)


def _private_tmp(source: str, kept: list[str]) -> None:
    """Bind ``source`` on ``/tmp``; the parts of the Python installation that lived there come back
    at their paths, read-only (a kit cloned under ``mktemp -d`` has its virtual environment there)."""
    saved = []
    for index, path in enumerate(kept):
        keep = f"{VIEW}/keep/{index}"
        os.makedirs(keep, exist_ok=True)
        _mount(path, keep, None, MS_BIND | MS_REC)
        saved.append((keep, path))
    _mount(source, "/tmp", None, MS_BIND)
    for keep, path in saved:
        os.makedirs(path, mode=0o755, exist_ok=True)
        _mount(keep, path, None, MS_BIND | MS_REC)
        _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        _check(_libc.umount2(keep.encode(), MNT_DETACH), f"umount {keep}")


def worker(request: dict, namespaced: bool) -> None:
    """Become the submission's worker: own /proc, own session and limits, no privilege. Never returns."""
    try:
        if namespaced:
            _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        os.setsid()  # the grader kills the group when there is no PID namespace to end
        cpu = int(request["cpu_seconds"])
        resource.setrlimit(
            resource.RLIMIT_CPU, (cpu, cpu + 5)
        )  # a fresh process: its CPU time starts at 0
        resource.setrlimit(resource.RLIMIT_FSIZE, (request["file_bytes"], request["file_bytes"]))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        drop_privileges(request.get("uid"), request.get("nproc") or 0)
        deny_internet()
        os.chdir(request["work"])
        os.environ.update(request["env"])
        from .worker import serve

        serve(request["fds"][0], request["fds"][1], request["fds"][2])
    finally:
        os._exit(0)


def drop_privileges(uid: int | None, nproc: int) -> None:
    """Become ``uid`` (root's children), or keep the user and drop every capability (a user
    namespace's root); either way no exec can gain privileges back."""
    if nproc:  # counted per real user: a user per submission (root), else the grading user's budget
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    if os.getuid() == 0 and uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)  # clears the permitted and effective capabilities
    _capset_empty()
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def _capset_empty() -> None:
    header = struct.pack("=Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = ctypes.create_string_buffer(
        24
    )  # two {effective, permitted, inheritable} words, all zero
    _libc.syscall.restype = ctypes.c_long
    nr = {"x86_64": 126, "aarch64": 91}.get(platform.machine())
    if (
        nr is not None
    ):  # capset(2); elsewhere setresuid has already cleared them for root's children
        _check(_libc.syscall(nr, ctypes.create_string_buffer(header, 8), data), "capset")


# -- seccomp: no internet sockets --------------------------------------------------------------
_ARCH = {
    "x86_64": (0xC000003E, 41, 425),
    "aarch64": (0xC00000B7, 198, 425),
}  # audit arch, socket, io_uring_setup


def deny_internet() -> bool:
    """Refuse ``socket(AF_INET | AF_INET6 | AF_PACKET)`` (and io_uring, which could open them) with
    EACCES, and every syscall of a foreign ABI (i386, x32). Needs no privilege; where the network
    namespace cannot be had (Docker's default capabilities) this is what keeps the worker offline."""
    arch = _ARCH.get(platform.machine())
    if arch is None:
        return False
    audit, socket_nr, uring_nr = arch
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, deny, foreign = 0x7FFF0000, 0x00050000 | EACCES, 0x00050000 | ENOSYS
    # Jump offsets count from the next instruction: `deny` is instruction 11, `allow` 12.
    program = [
        (ld, 0, 0, 4),  # seccomp_data.arch
        (jeq, 1, 0, audit),
        (ret, 0, 0, foreign),
        (ld, 0, 0, 0),  # seccomp_data.nr
        (jge, 6, 0, 0x40000000),  # x32 ABI on x86_64
        (jeq, 5, 0, uring_nr),
        (jeq, 0, 5, socket_nr),
        (ld, 0, 0, 16),  # seccomp_data.args[0], low word: the address family
        (jeq, 2, 0, AF_INET),
        (jeq, 1, 0, AF_INET6),
        (jeq, 0, 1, AF_PACKET),
        (ret, 0, 0, deny),
        (ret, 0, 0, allow),
    ]
    raw = b"".join(struct.pack("=HBBI", *op) for op in program)
    buffer = ctypes.create_string_buffer(raw, len(raw))
    prog = struct.pack("=HxxxxxxQ", len(program), ctypes.addressof(buffer))
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    _check(
        _libc.prctl(
            PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.create_string_buffer(prog, len(prog)), 0, 0
        ),
        "seccomp",
    )
    return True


def _copy_owned(source: Path, target: Path, owner: int) -> None:
    """Copy the submission into the worker's tmpfs, every file owned by the submission's user."""
    for item in sorted(source.rglob("*")):
        if item.is_symlink():
            continue
        destination = target / item.relative_to(source)
        if item.is_dir():
            destination.mkdir(mode=0o755, exist_ok=True)
        elif item.is_file():
            destination.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            shutil.copyfile(item, destination)
        else:
            continue
        os.chown(destination, owner, owner)
