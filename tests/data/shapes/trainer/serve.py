from transformers import AutoModelForCausalLM, AutoTokenizer


def load_engine(args):
    return AutoModelForCausalLM.from_pretrained(args.checkpoint, revision=args.checkpoint_sha)


def load_tokenizer(args):
    return AutoTokenizer.from_pretrained(args.checkpoint)


def load_critic(args):
    return AutoModelForCausalLM.from_pretrained(args.critic_checkpoint)
