"""Jupyter kernel messages out of websocket frames, as the browser sends and receives them.

JupyterLab talks to a kernel over one websocket per kernel connection, in one of two wire
formats (``jupyter_server.services.kernels.connection.base``):

- ``v1.kernel.websocket.jupyter.org`` (what JupyterLab 4 picks with jupyter_server 2): every
  frame binary: a little-endian uint64 count of offsets, the offsets, then the channel name,
  header, parent header, metadata and content (JSON each), then the binary buffers;
- the legacy format: a text frame of the whole message as JSON, or, for messages with buffers,
  a binary frame: a big-endian uint32 count, uint32 offsets, the message JSON, then the buffers.

The first byte tells them apart: a v1 frame starts with the low byte of a small count (never 0),
a legacy binary frame with the high byte of one (always 0).
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Message:
    """One kernel message: what a frame carries, with the parts the benchmark looks at."""

    channel: str
    msg_type: str
    content: dict[str, Any]
    buffer_sizes: list[int] = field(default_factory=list)
    header: dict[str, Any] = field(default_factory=dict)
    parent_header: dict[str, Any] = field(default_factory=dict)

    @property
    def msg_id(self) -> str | None:
        value = self.header.get("msg_id")
        return value if isinstance(value, str) else None

    @property
    def parent_id(self) -> str | None:
        value = self.parent_header.get("msg_id")
        return value if isinstance(value, str) else None

    @property
    def date(self) -> float | None:
        """When the sender made the message (``header.date``), in seconds since the epoch."""
        value = self.header.get("date")
        if not isinstance(value, str):
            return None
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None

    @property
    def comm_id(self) -> str | None:
        value = self.content.get("comm_id")
        return value if isinstance(value, str) else None

    @property
    def data(self) -> dict[str, Any]:
        value = self.content.get("data")
        return value if isinstance(value, dict) else {}

    @property
    def method(self) -> str | None:
        """``update``, ``echo_update``, ``custom``... for widget comm messages."""
        value = self.data.get("method")
        return value if isinstance(value, str) else None

    @property
    def state(self) -> dict[str, Any]:
        """The widget state a comm_open or an update carries ({} otherwise)."""
        value = self.data.get("state")
        return value if isinstance(value, dict) else {}

    @property
    def custom(self) -> dict[str, Any]:
        """The content of a custom widget message ({} otherwise)."""
        value = self.data.get("content") if self.method == "custom" else None
        return value if isinstance(value, dict) else {}


def frame_size(payload: str | bytes) -> int:
    """Bytes of a frame's payload on the wire (text frames are UTF-8)."""
    return len(payload.encode("utf-8")) if isinstance(payload, str) else len(payload)


def parse_frame(payload: str | bytes) -> Message | None:
    """The kernel message of one frame, or None when it is not one."""
    try:
        if isinstance(payload, str):
            return _from_dict(json.loads(payload), [])
        if not payload:
            return None
        if payload[0] != 0:
            return _parse_v1(payload)
        return _parse_legacy(payload)
    except (ValueError, KeyError, TypeError, struct.error):
        return None


def _parse_v1(data: bytes) -> Message:
    count = int.from_bytes(data[:8], "little")
    offsets = [int.from_bytes(data[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    channel = data[offsets[0] : offsets[1]].decode("utf-8")
    parts = [data[offsets[i] : offsets[i + 1]] for i in range(1, count - 1)]
    header, parent, _metadata, content = (json.loads(p) for p in parts[:4])
    return Message(
        channel, str(header.get("msg_type")), content, [len(p) for p in parts[4:]], header, parent
    )


def _parse_legacy(data: bytes) -> Message:
    (count,) = struct.unpack("!I", data[:4])
    offsets = [*struct.unpack(f"!{count}I", data[4 : 4 + 4 * count]), len(data)]
    message = json.loads(data[offsets[0] : offsets[1]])
    return _from_dict(message, [offsets[i + 1] - offsets[i] for i in range(1, count)])


def _from_dict(message: dict[str, Any], buffer_sizes: list[int]) -> Message:
    return Message(
        str(message.get("channel")),
        str(message["header"]["msg_type"]),
        message.get("content") or {},
        buffer_sizes,
        message["header"],
        message.get("parent_header") or {},
    )
