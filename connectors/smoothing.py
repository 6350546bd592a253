"""A smoothed running mean, for what the connectors observe of their sources."""

from __future__ import annotations


class Smoothed:
    """An exponentially weighted mean: recent samples count most, one odd one barely moves it.

    Until the first sample it reads `unset`; the first sample then stands alone.
    """

    #: Weight of each new sample.
    WEIGHT = 1 / 8

    def __init__(self, unset: float) -> None:
        self.value = unset
        self._sampled = False

    def add(self, sample: float) -> None:
        """Take one more sample into the mean."""
        if self._sampled:
            self.value += (sample - self.value) * self.WEIGHT
        else:
            self.value = sample
            self._sampled = True
