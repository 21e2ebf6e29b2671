"""Scoring service for ticket priority."""

import torch
from fastapi import FastAPI
from pydantic import BaseModel
from torch import nn
from transformers import AutoModelForSequenceClassification

REVISION = "12040accade4e8a0f71eabdb258fecc2e7e948be"


class Scorer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(64, 64), nn.Dropout(0.2), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.body(features)


class Ensemble(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.first = Scorer()
        self.second = Scorer()

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return (self.first(features) + self.second(features)) / 2


app = FastAPI()
scorer = Scorer()
scorer.load_state_dict(torch.load("weights/scorer.pt", weights_only=True))
ranker = torch.load("weights/ranker.pt", weights_only=False)
ranker.eval()
encoder = Scorer().to("cpu").eval()
classifier = AutoModelForSequenceClassification.from_pretrained(
    "distilbert/distilbert-base-uncased", revision=REVISION
)


class Features(BaseModel):
    values: list[float]


@app.post("/score")
def score(req: Features) -> dict[str, float]:
    features = torch.tensor(req.values).unsqueeze(0)
    raw = scorer(features)
    ranked = ranker(features)
    encoded = encoder(features)
    logits = classifier(input_ids=features.long()).logits
    with torch.no_grad():
        calm = scorer(features)
    return {
        "raw": raw.item(),
        "ranked": ranked.item(),
        "encoded": encoded.sum().item(),
        "logits": logits.sum().item(),
        "calm": calm.item(),
    }


@app.post("/score/fast")
@torch.inference_mode()
def score_fast(req: Features) -> dict[str, float]:
    return {"score": scorer(torch.tensor(req.values).unsqueeze(0)).item()}
