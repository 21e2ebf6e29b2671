"""Speech recognition models for the transcription service."""

from funasr import AutoModel


def load_recognizers(model_id: str):
    bundled = AutoModel(model=model_id, trust_remote_code=True, remote_code="./nano_model.py")
    hub = AutoModel(model=model_id, trust_remote_code=True)
    fetched = AutoModel(model=model_id, trust_remote_code=True, remote_code="https://example.test/model.py")
    return bundled, hub, fetched
