"""Metrics, one unit (a fraction in [0, 1]): :mod:`course_utils.metrics.classification` (accuracy,
predicted classes). Track 3's precision/recall/F1 and error analysis, and Track 4's IoU and
non-max suppression belong here."""
