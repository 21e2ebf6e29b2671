"""The project's own model classes, loaded through transformers' PreTrainedModel loader."""

from transformers import AutoModel, PreTrainedModel


class RankerModel(PreTrainedModel):
    def forward(self, inputs):
        return inputs


class RankerWrapper(PreTrainedModel):
    @classmethod
    def from_pretrained(cls, name, **options):
        return AutoModel.from_pretrained(name, **options)


def load(name: str) -> tuple[RankerModel, RankerWrapper]:
    own = RankerModel.from_pretrained(name, trust_remote_code=True)  # ignored: no Auto class
    wrapped = RankerWrapper.from_pretrained(name, trust_remote_code=True)  # handed to AutoModel
    return own, wrapped
