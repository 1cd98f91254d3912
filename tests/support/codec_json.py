"""Payloads as the Temporal Web UI sends them to (and reads them from) ``/codec/encode`` and
``/codec/decode``: ``{"payloads": [{"metadata": {...}, "data": ...}]}``, bytes in base64."""

import base64
from typing import Any

from temporalio.api.common.v1 import Payload


def codec_body(payloads: list[Payload]) -> dict[str, Any]:
    """The JSON body a codec call sends for ``payloads``."""
    return {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                "data": base64.b64encode(p.data).decode(),
            }
            for p in payloads
        ]
    }


def codec_payloads(body: dict[str, Any]) -> list[Payload]:
    """The payloads of a codec call's JSON answer."""
    return [
        Payload(
            metadata={k: base64.b64decode(v) for k, v in p.get("metadata", {}).items()},
            data=base64.b64decode(p.get("data", "")),
        )
        for p in body["payloads"]
    ]
