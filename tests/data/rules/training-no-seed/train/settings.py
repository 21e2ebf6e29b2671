"""Shared run settings; importing this module fixes every RNG."""

import lightning

SEED = 1234
lightning.seed_everything(SEED, workers=True)
