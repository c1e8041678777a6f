"""The service's wire without `json` and `socket`: the same bytes `json` would write, read back the same,
and descriptors passed over a Unix socket pair (what each one-shot call sends its stdin with)."""

from __future__ import annotations

import json
import os
import socket

import pytest

from marimo_pair_tui.headless.service import wire, wire_json

MESSAGES = [
    {"op": "run", "argv": ["exec", "-c", "print('é ☃ \\n \"quoted\"')"], "cwd": "/tmp", "env": {"LANG": "C.UTF-8"}},
    {"out": "line\n\x00\x1b[31mred\x1b[0m\ud83d\ude00 tab\t"},
    {"exit": 0}, {"exit": -9}, {"started": True, "pid": 123456}, {"mismatch": False, "version": None},
    {"uptime_s": 0.1, "idle_s": 1e-07, "big": 12345678901234567890, "neg": -2.5e300},
    {"sessions": [{"live": "following", "nested": [[], {}, [1, [2, [3]]]]}], "empty": ""},
    {"tuple": (1, "two")},
]


@pytest.mark.parametrize("message", MESSAGES)
def test_messages_are_the_bytes_json_writes_and_read_back_the_same(message: dict[str, object]) -> None:
    text = wire_json.dumps(message)
    assert text == json.dumps(message, separators=(",", ":"))
    assert wire_json.loads(text) == json.loads(text)
    assert wire_json.loads(json.dumps(message, indent=2)) == json.loads(json.dumps(message))  # any JSON reads


@pytest.mark.parametrize("value, error", [
    ({"x": float("nan")}, ValueError), ({"x": float("inf")}, ValueError), ({1: "a"}, TypeError),
    ({"x": object()}, TypeError), ({"x": {1, 2}}, TypeError),
])
def test_what_json_cannot_say_is_refused(value: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        wire_json.dumps(value)


@pytest.mark.parametrize("text", ["", "{", '{"a":1} x', '{"a":NaN}', '{"a":Infinity}', "{'a': 1}", '{"a":"\x01"}', "[1,]"])
def test_what_is_not_json_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        wire_json.loads(text)


def test_a_frame_that_is_not_json_is_a_wire_error() -> None:
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with mine, theirs:
        mine.sendall(len(b"{oops").to_bytes(4, "big") + b"{oops")
        with pytest.raises(wire.WireError, match="not JSON"):
            wire.receive(theirs)


def test_descriptors_travel_with_a_message_and_none_leak() -> None:
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    read_end, write_end = os.pipe()
    with mine, theirs:
        wire.send(mine, {"go": True}, [read_end, write_end])
        message, fds = wire.receive(theirs, want_fds=4)
        assert message == {"go": True} and len(fds) == 2
        os.write(fds[1], b"through the copy")  # the copies are the same pipe as ours
        assert os.read(read_end, 100) == b"through the copy"
        wire.close_all(fds)
        assert fds == []
        wire.send(mine, {"go": True}, [read_end])  # more than a receiver wants: it gets none, nothing else breaks
        message, fds = wire.receive(theirs, want_fds=0)
        assert message == {"go": True} and fds == []
    os.close(read_end)
    os.close(write_end)
