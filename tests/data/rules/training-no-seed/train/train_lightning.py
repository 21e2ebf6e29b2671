"""Lightning run; seeding happens in train/settings.py at import."""

import lightning

from models.net import IntentModule
from train import settings


def main() -> None:
    trainer = lightning.Trainer(max_epochs=settings.SEED % 5 + 1, deterministic=True)
    trainer.fit(IntentModule())


if __name__ == "__main__":
    main()
