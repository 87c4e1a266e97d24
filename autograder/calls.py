"""What a call to student code is and what it can end in, as the grader sees it.

The exceptions every caller catches, each a kind of ending: ``StudentError`` (student code failed:
raised, not implemented, out of time or memory), ``WorkerLost`` (the worker died or stopped
answering), ``Tampered`` (the channel carried what the worker's server did not send), ``GraderFault``
(our side, before any student code ran). And the proxy: ``Remote``, an object living in the worker,
with the helpers that turn handles into Remotes and back and name what a timeout is blamed on.

Public entry: ``Remote`` (with the exceptions above).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .sandbox.codec import Handle

if TYPE_CHECKING:
    from .channel import Sandbox


class StudentError(Exception):
    """Student code failed in the worker: kind is raised, not_implemented, timeout, memory."""

    def __init__(self, info: dict):
        self.kind = info.get("kind", "raised")
        self.type = info.get("type", "")
        self.message = info.get("message", "")
        self.where = info.get("where", "")
        self.trace = info.get("trace", "")
        super().__init__(
            f"{self.type}: {self.message}" + (f" ({self.where})" if self.where else "")
        )


class WorkerLost(Exception):
    """The worker died or stopped answering (``timeout`` tells which); it must be restarted."""

    def __init__(self, message: str, timeout: bool):
        super().__init__(message)
        self.timeout = timeout


class Tampered(WorkerLost):
    """The reply channel carried something the worker's server did not send: student code wrote on it."""

    def __init__(self, detail: str):
        super().__init__(
            f"the grader's channel received data it did not send ({detail})", timeout=False
        )


class GraderFault(Exception):
    """The worker could not start or answer before any student code ran: our side, not the student's."""


@dataclass(frozen=True, repr=False)
class Remote:
    """An object living in the worker; attribute access gives callable methods."""

    sandbox: Sandbox
    handle: Handle

    def __repr__(self) -> str:
        return f"<remote {self.handle.type_name} #{self.handle.id}>"

    @property
    def type_name(self) -> str:
        return self.handle.type_name

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        sandbox, handle = self.sandbox, self.handle

        def method(*args, timeout: float = 10.0, seed: int = 0, keep: bool = False, **kwargs):
            return sandbox.call(
                {"handle": handle, "attr": name},
                *args,
                timeout=timeout,
                seed=seed,
                keep=keep,
                **kwargs,
            )

        return method

    def __call__(self, *args, timeout: float = 10.0, seed: int = 0, keep: bool = False, **kwargs):
        return self.sandbox.call(
            {"handle": self.handle}, *args, timeout=timeout, seed=seed, keep=keep, **kwargs
        )


def target_key(target, args) -> str:
    """What a timeout is blamed on: ``generate``, ``RNN.one_step`` (the handle's class, then the method),
    or a procedure with the classes of the objects it was given (``@forward_backward(RNN)``)."""
    if isinstance(target, dict) and isinstance(target.get("handle"), Handle):
        return f"{target['handle'].type_name}.{target.get('attr') or '__call__'}"
    if isinstance(target, str) and target.startswith("@"):
        kinds = [
            a.handle.type_name if isinstance(a, Remote) else a.type_name
            for a in args
            if isinstance(a, (Remote, Handle))
        ]
        return f"{target}({','.join(kinds)})"
    return str(target)


def unproxy(value):
    if isinstance(value, Remote):
        return value.handle
    if isinstance(value, list):
        return [unproxy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(unproxy(v) for v in value)
    if isinstance(value, dict):
        return {k: unproxy(v) for k, v in value.items()}
    return value


def proxy(sandbox: Sandbox, value: Any) -> Any:
    """A reply with every handle in it turned into a ``Remote`` of ``sandbox``."""
    if isinstance(value, Handle):
        return Remote(sandbox, value)
    if isinstance(value, list):
        return [proxy(sandbox, v) for v in value]
    if isinstance(value, tuple):
        return tuple(proxy(sandbox, v) for v in value)
    if isinstance(value, dict):
        return {k: proxy(sandbox, v) for k, v in value.items()}
    return value
