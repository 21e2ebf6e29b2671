from flask import Flask, request

from serving.codecs import CODECS
from serving.model import predict

app = Flask(__name__)


@app.route("/v0/predict", methods=["POST"])
def predict_v0() -> list[float]:
    decoder = CODECS.get(request.mimetype)
    if decoder is None:
        raise ValueError(request.mimetype)
    return predict(decoder().decode(request.get_data()))
