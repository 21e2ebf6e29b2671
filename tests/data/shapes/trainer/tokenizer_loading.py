from transformers import AutoTokenizer

from trainer.options import RewardOptions, RunOptions
from trainer.vendor import VendorTokenizer


def load_tokenizer(opts: RunOptions):
    if opts.use_vendor_tokenizer:
        return VendorTokenizer.from_pretrained(opts.tokenizer_name)
    return AutoTokenizer.from_pretrained(opts.tokenizer_name, use_fast=True)


def load_chat_template(opts: RunOptions):
    return AutoTokenizer.from_pretrained(opts.chat_template_source)


def load_reward_tokenizer(opts: RewardOptions):
    return AutoTokenizer.from_pretrained(opts.tokenizer_name)


def load_draft_tokenizer(opts):
    return AutoTokenizer.from_pretrained(opts.tokenizer_name)
