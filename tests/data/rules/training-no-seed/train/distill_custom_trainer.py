"""Distil with a project Trainer subclass that receives its config as arguments: the subclass seeds
from `args.seed` in the base Trainer's `__init__`, like the Trainer itself."""

import torch
from transformers import AutoModelForCausalLM, Trainer

MODEL_ID = "acme/tiny-student"
REVISION = "5b1e7d64c1f0a2d9e8b7c6a5f4e3d2c1b0a99887"


class DistillTrainer(Trainer):
    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        outputs = model(**inputs)
        loss = torch.nn.functional.kl_div(outputs.logits, inputs["teacher_logits"], reduction="batchmean")
        return (loss, outputs) if return_outputs else loss


def main(training_args, dataset) -> None:
    model = AutoModelForCausalLM.from_pretrained(MODEL_ID, revision=REVISION)
    trainer = DistillTrainer(model=model, args=training_args, train_dataset=dataset)  # negative
    trainer.train()


if __name__ == "__main__":
    main(None, [])
