from transformers import AutoConfig, AutoProcessor

from trainer.options import RunOptions


def load_model_config(opts: RunOptions):
    name = opts.base_model_config or opts.base_model
    if not name:
        name = opts.tokenizer_name
    kwargs = {}
    if opts.model_commit:
        kwargs["revision"] = opts.model_commit
    return AutoConfig.from_pretrained(name, **kwargs)


def load_processor(opts: RunOptions):
    return AutoProcessor.from_pretrained(opts.tokenizer_name, revision=opts.model_commit)
