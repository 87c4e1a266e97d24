"""The grader's end of a worker's channel: requests out, framed replies in, each read by a deadline
and checked to answer the request just sent.

A reply is ``sandbox.codec``'s frame (an 8-byte size, then data only) read from a pipe: with
``select`` on POSIX, through a reading thread (``PipeReader``) where a pipe cannot be waited on
(Windows). A reply must be what the worker's server writes (``{"id": n, "ok" | "error" |
"progress": ...}``, numbered like the request): anything else, or a frame larger than the codec
allows, is student code writing on the channel (``Tampered``).

Public entry: ``read_reply()``, then ``checked()`` on what it read.
"""

from __future__ import annotations

import os
import queue
import select
import struct
import threading
import time
from typing import Any

from .calls import Tampered
from .sandbox import codec


def send(stream, payload: dict) -> None:
    """Write one request (``codec``'s frame) on the worker's input."""
    codec.write_message(stream, payload)


def read_reply(receive, deadline: float) -> Any:
    """One decoded reply from ``receive`` (a pipe's descriptor, or a ``PipeReader``), by ``deadline``
    (monotonic time): ``TimeoutError`` past it, ``EOFError`` if the worker closed its end."""
    (size,) = struct.unpack(">Q", _read_exactly(receive, 8, deadline))
    if size > codec.MAX_MESSAGE:
        raise Tampered(f"a reply announcing {size} bytes")
    return codec.decode(_read_exactly(receive, size, deadline))


def _read_exactly(receive, size: int, deadline: float) -> bytes:
    if isinstance(receive, PipeReader):
        return receive.read(size, deadline)
    chunks, missing = [], size
    while missing:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([receive], [], [], left)[0]:
            raise TimeoutError
        chunk = os.read(receive, min(missing, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def close_ends(send_stream, receive) -> None:
    """Close both ends of a channel (either may be None), whatever state the worker left them in."""
    if send_stream is not None:
        try:
            send_stream.close()
        except OSError:  # the worker is gone: the pipe may refuse the final flush
            pass
    if receive is not None:
        try:
            receive.close() if isinstance(receive, PipeReader) else os.close(receive)
        except OSError:
            pass


def is_progress(reply: Any, sequence: int) -> bool:
    return (
        isinstance(reply, dict)
        and len(reply) == 2
        and reply.get("id") == sequence
        and isinstance(reply.get("progress"), str)
    )


def checked(reply: Any, sequence: int) -> dict:
    """A reply as the worker's server writes it, to the request just sent; anything else was forged."""
    if not isinstance(reply, dict) or reply.get("id") != sequence or len(reply) != 2:
        raise Tampered("a reply that answers no request")
    if "ok" in reply:
        return reply
    error = reply.get("error")
    if not isinstance(error, dict) or not all(
        isinstance(error.get(k, ""), str) for k in ("kind", "type", "message", "where", "trace")
    ):
        raise Tampered("a malformed error reply")
    if error.get("kind", "raised") not in ("raised", "not_implemented", "timeout", "memory"):
        raise Tampered("an error reply of an unknown kind")
    return reply


class PipeReader:
    """Reads a pipe in a thread, so that waits have deadlines where ``select`` cannot wait on a pipe
    (Windows)."""

    def __init__(self, stream):
        self.stream, self.chunks, self.buffer = stream, queue.Queue(), b""
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        try:
            while True:
                chunk = (
                    self.stream.read1(1 << 20)
                    if hasattr(self.stream, "read1")
                    else self.stream.read(1 << 16)
                )
                self.chunks.put(chunk)
                if not chunk:
                    return
        except (OSError, ValueError):
            self.chunks.put(b"")

    def read(self, size: int, deadline: float) -> bytes:
        while len(self.buffer) < size:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            try:
                chunk = self.chunks.get(timeout=left)
            except queue.Empty:
                raise TimeoutError from None
            if not chunk:
                raise EOFError
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def close(self) -> None:
        self.stream.close()
