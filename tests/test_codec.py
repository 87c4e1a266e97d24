"""The data-only channel format: what crosses, and what is refused."""

import io
import math

import pytest
import torch

from autograder.sandbox.codec import CodecError, Handle, decode, encode, read_message, write_message


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        -2.5,
        "é",
        [1, [2, "x"]],
        (1, (2.0, None)),
        {"a": [1, 2], "b": {"c": None}},
        torch.arange(6, dtype=torch.int64).reshape(2, 3),
        torch.randn(2, 0, 3),
        torch.tensor(3.5, dtype=torch.float64),
        torch.tensor([True, False]),
        torch.randn(4, dtype=torch.bfloat16),
        Handle(7, "RNN"),
    ],
)
def test_round_trip(value):
    back = decode(encode(value))
    if isinstance(value, torch.Tensor):
        assert back.dtype == value.dtype and back.shape == value.shape and torch.equal(back, value)
    else:
        assert back == value and type(back) is type(value)


def test_special_floats_and_views_and_grad_tensors():
    assert math.isnan(decode(encode(float("nan"))))
    assert decode(encode(float("-inf"))) == float("-inf")
    base = torch.arange(12.0).reshape(3, 4)
    assert torch.equal(
        decode(encode(base.t())), base.t()
    )  # non-contiguous views are sent as values
    assert not decode(encode(torch.ones(2, requires_grad=True))).requires_grad


@pytest.mark.parametrize(
    "value", [object(), {1: "a"}, {"__tensor__": 1}, torch.zeros(2, dtype=torch.complex64), b"raw"]
)
def test_unsendable_values_are_refused(value):
    with pytest.raises(CodecError):
        encode(value)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"__tensor__": "float32", "shape": [2], "data": "AAAA"}',  # 3 bytes for 8 expected
        b'{"__tensor__": "object", "shape": [1], "data": ""}',
        b'{"__tensor__": "float32", "shape": [-1], "data": ""}',
        b'{"__float__": "__import__(\'os\')"}',
        b"not json",
        b"[" * 100 + b"]" * 100,
    ],
)
def test_malformed_messages_are_refused(raw):
    with pytest.raises(CodecError):
        decode(raw)


def test_framing_over_a_stream():
    stream = io.BytesIO()
    write_message(stream, {"x": torch.ones(3)})
    write_message(stream, [1, 2])
    stream.seek(0)
    assert torch.equal(read_message(stream)["x"], torch.ones(3))
    assert read_message(stream) == [1, 2]
    with pytest.raises(EOFError):
        read_message(stream)
