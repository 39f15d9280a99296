"""Learning-rate schedules: ``schedule(learning_rate0, epoch_num, ...) -> learning_rate``.

Every schedule takes the initial rate and the epoch number (from 0, except :func:`inverse_sqrt_lr`)
and returns the rate for that epoch; :func:`course_utils.optim.loop.train` calls one with
``(learning_rate0, epoch)`` at the start of every epoch.
"""

from __future__ import annotations

import math

__all__ = ["update_lr", "schedule_lr_decay", "exponential_lr", "inverse_sqrt_lr"]


def update_lr(learning_rate0: float, epoch_num: int, decay_rate: float) -> float:
    """Inverse-time decay: ``learning_rate0 / (1 + decay_rate * epoch_num)``."""
    return learning_rate0 / (1 + decay_rate * epoch_num)


def schedule_lr_decay(learning_rate0: float, epoch_num: int, decay_rate: float, time_interval: int = 1000) -> float:
    """Inverse-time decay in steps: ``learning_rate0 / (1 + decay_rate * floor(epoch_num / time_interval))``."""
    return learning_rate0 / (1 + decay_rate * math.floor(epoch_num / time_interval))


def exponential_lr(learning_rate0: float, epoch_num: int, base: float = 0.95) -> float:
    """Exponential decay: ``base**epoch_num * learning_rate0``."""
    return base ** epoch_num * learning_rate0


def inverse_sqrt_lr(learning_rate0: float, epoch_num: int, k: float = 1.0) -> float:
    """``k / sqrt(epoch_num) * learning_rate0``.

    Raises: ValueError if epoch_num < 1 (this schedule counts epochs from 1).
    """
    if epoch_num < 1:
        raise ValueError("epoch_num counts from 1 for 1/sqrt(t) decay")
    return k / math.sqrt(epoch_num) * learning_rate0
