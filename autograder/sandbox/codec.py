"""The data-only format spoken between the grader and the worker: JSON plus raw tensor bytes.

Nothing here can execute code on decoding: values are JSON scalars, lists, string-keyed dicts,
tuples, tensors of whitelisted dtypes (raw little-endian bytes, base64) and opaque handles to
objects that stay in the worker. No pickle, no ``torch.load``.

This module is copied into the worker's folder, so it imports only the standard library and torch.
"""

from __future__ import annotations

import base64
import json
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

import torch

MAX_MESSAGE = 256 * 2**20  # bytes; a bigger reply is refused, not read
MAX_DEPTH = 32

DTYPES = {
    "float64": torch.float64,
    "float32": torch.float32,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "int64": torch.int64,
    "int32": torch.int32,
    "int16": torch.int16,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "bool": torch.bool,
}
NAMES = {dtype: name for name, dtype in DTYPES.items()}


class CodecError(ValueError):
    """A message that does not follow the format (too big, too deep, unknown type, bad bytes)."""


@dataclass(frozen=True)
class Handle:
    """An object that lives in the worker (a model, a closure); only its id crosses the channel."""

    id: int
    type_name: str = ""


def encode(value: Any) -> bytes:
    return json.dumps(_to_json(value, 0), separators=(",", ":")).encode("utf-8")


def decode(data: bytes) -> Any:
    if len(data) > MAX_MESSAGE:
        raise CodecError(f"message of {len(data)} bytes exceeds the {MAX_MESSAGE}-byte limit")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise CodecError(f"not a JSON message: {err}") from err
    return _from_json(raw, 0)


def write_message(stream: BinaryIO, value: Any) -> None:
    payload = encode(value)
    stream.write(struct.pack(">Q", len(payload)) + payload)
    stream.flush()


def read_message(stream: BinaryIO) -> Any:
    header = _read_exactly(stream, 8)
    (size,) = struct.unpack(">Q", header)
    if size > MAX_MESSAGE:
        raise CodecError(f"announced message of {size} bytes exceeds the {MAX_MESSAGE}-byte limit")
    return decode(_read_exactly(stream, size))


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    chunks, missing = [], size
    while missing:
        chunk = stream.read(missing)
        if not chunk:
            raise EOFError("channel closed")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _to_json(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CodecError("value nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return (
            value
            if value == value and value not in (float("inf"), float("-inf"))
            else {"__float__": repr(value)}
        )
    if isinstance(value, torch.Tensor):
        return _tensor_to_json(value)
    if isinstance(value, Handle):
        return {"__handle__": value.id, "type": value.type_name}
    if isinstance(value, tuple):
        return {"__tuple__": [_to_json(v, depth + 1) for v in value]}
    if isinstance(value, list):
        return [_to_json(v, depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise CodecError("dict keys must be strings")
        if any(k.startswith("__") for k in value):
            raise CodecError("dict keys may not start with '__' (reserved)")
        return {k: _to_json(v, depth + 1) for k, v in value.items()}
    raise CodecError(f"cannot send a value of type {type(value).__name__}")


def _tensor_to_json(tensor: torch.Tensor) -> dict:
    if tensor.dtype not in NAMES:
        raise CodecError(f"tensor dtype {tensor.dtype} is not supported")
    flat = tensor.detach().to("cpu").contiguous()
    raw = flat.reshape(-1).view(torch.uint8).numpy().tobytes() if flat.numel() else b""
    return {
        "__tensor__": NAMES[flat.dtype],
        "shape": list(flat.shape),
        "data": base64.b64encode(raw).decode("ascii"),
    }


def _from_json(raw: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CodecError("value nested too deeply")
    if raw is None or isinstance(raw, (bool, int, float, str)):
        return raw
    if isinstance(raw, list):
        return [_from_json(v, depth + 1) for v in raw]
    if not isinstance(raw, dict):
        raise CodecError(f"unexpected JSON value {type(raw).__name__}")
    if "__tensor__" in raw:
        return _tensor_from_json(raw)
    if "__tuple__" in raw:
        return tuple(_from_json(v, depth + 1) for v in raw["__tuple__"])
    if "__handle__" in raw:
        return Handle(int(raw["__handle__"]), str(raw.get("type", "")))
    if "__float__" in raw:
        text = raw["__float__"]
        if text not in ("nan", "inf", "-inf"):
            raise CodecError(f"bad special float {text!r}")
        return float(text)
    return {k: _from_json(v, depth + 1) for k, v in raw.items()}


def _tensor_from_json(raw: dict) -> torch.Tensor:
    name, shape = raw.get("__tensor__"), raw.get("shape")
    if name not in DTYPES:
        raise CodecError(f"tensor dtype {name!r} is not supported")
    if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise CodecError(f"bad tensor shape {shape!r}")
    dtype = DTYPES[name]
    data = base64.b64decode(raw.get("data", ""), validate=True)
    numel = 1
    for n in shape:
        numel *= n
    itemsize = torch.empty((), dtype=dtype).element_size()
    if len(data) != numel * itemsize:
        raise CodecError(
            f"tensor of shape {shape} and dtype {name} needs {numel * itemsize} bytes, got {len(data)}"
        )
    if numel == 0:
        return torch.empty(shape, dtype=dtype)
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).view(dtype).reshape(shape).clone()
