"""Metrics, one unit (a fraction in [0, 1]): :mod:`course_utils.metrics.classification` (accuracy,
predicted classes, precision/recall/F1, weighted error, the confusion matrix). The decisions Track 3
takes with them (optimising and satisficing metrics, the bias/variance diagnosis, error analysis) are
in :mod:`course_utils.strategy`. Track 4: :mod:`course_utils.metrics.detection` (IoU of boxes, mean average
precision) and :mod:`course_utils.metrics.segmentation` (per-class IoU and mean IoU of pixel masks).
Track 5: :mod:`course_utils.metrics.sequence` (exact match of whole sequences, accuracy per group) and
:mod:`course_utils.metrics.bleu` (modified n-gram precision, brevity penalty, corpus and sentence BLEU, as sacrebleu
computes them without smoothing)."""
