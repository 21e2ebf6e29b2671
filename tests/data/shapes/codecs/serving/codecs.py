import json
import pickle
from typing import Any


class Codec:
    content_type = ""

    def encode(self, obj: Any) -> bytes:
        raise NotImplementedError

    def decode(self, raw: bytes) -> Any:
        raise NotImplementedError


class JsonCodec(Codec):
    content_type = "application/json"

    def encode(self, obj: Any) -> bytes:
        return json.dumps(obj).encode()

    def decode(self, raw: bytes) -> Any:
        return json.loads(raw)


class PickleCodec(Codec):
    content_type = "application/x-python-pickle"

    def encode(self, obj: Any) -> bytes:
        return pickle.dumps(obj)

    def decode(self, raw: bytes) -> Any:
        return pickle.loads(raw)


CODECS: dict[str, type[Codec]] = {codec.content_type: codec for codec in (JsonCodec, PickleCodec)}
TEXT_CODECS = {"application/json": JsonCodec}
DECODERS = dict(json=json.loads, pickle=pickle.loads)


def codec_for(content_type: str) -> Codec:
    kind = content_type.split(";")[0].strip()
    codec = CODECS[kind]()
    return codec


def checked_codec(content_type: str) -> Codec:
    if content_type not in TEXT_CODECS:
        raise ValueError(f"unsupported content type {content_type}")
    return CODECS[content_type]()
