from fastapi import FastAPI, Request
from fastapi.responses import Response

from serving.codecs import CODECS, DECODERS, TEXT_CODECS, JsonCodec, checked_codec, codec_for
from serving.model import predict

app = FastAPI()
INTERNAL_TYPE = "application/x-python-pickle"


@app.post("/predict")
async def predict_route(request: Request) -> Response:
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip()
    codec = CODECS[kind]()
    features = codec.decode(await request.body())
    return Response(codec.encode(predict(features)), media_type=kind)


@app.post("/score")
async def score(request: Request) -> list[float]:
    fmt = request.query_params.get("format", "json")
    return predict(DECODERS[fmt](await request.body()))


@app.post("/answer")
async def answer(request: Request) -> Response:
    features = JsonCodec().decode(await request.body())
    codec = CODECS.get(request.headers.get("accept", ""), JsonCodec)()
    return Response(codec.encode(predict(features)))


@app.post("/text")
async def text(request: Request) -> list[float]:
    codec = TEXT_CODECS[request.headers["content-type"]]()
    return predict(codec.decode(await request.body()))


@app.post("/batch")
async def batch(request: Request) -> list[float]:
    codec = CODECS[INTERNAL_TYPE]()
    return predict(codec.decode(await request.body()))


@app.post("/v2/predict")
async def predict_v2(request: Request) -> list[float]:
    kind = request.headers.get("content-type", "application/json")
    if kind == INTERNAL_TYPE:
        raise ValueError("pickled payloads are accepted only from the cluster")
    codec = CODECS.get(kind, JsonCodec)()
    return predict(codec.decode(await request.body()))


@app.post("/v3/predict")
async def predict_v3(request: Request) -> list[float]:
    codec = codec_for(request.headers["content-type"])
    return predict(codec.decode(await request.body()))


@app.post("/v3/checked")
async def checked(request: Request) -> list[float]:
    codec = checked_codec(request.headers["content-type"])
    return predict(codec.decode(await request.body()))


@app.post("/v3/batch")
async def batch_v3(request: Request) -> list[float]:
    return predict(codec_for(INTERNAL_TYPE).decode(await request.body()))
