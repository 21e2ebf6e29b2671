import dataclasses


@dataclasses.dataclass
class RunOptions:
    base_model: str
    base_model_config: str | None = None
    tokenizer_name: str | None = None
    model_commit: str | None = None
    chat_template_source: str | None = None
    use_vendor_tokenizer: bool = False


@dataclasses.dataclass
class RewardOptions:
    tokenizer_name: str
