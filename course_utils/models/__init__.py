"""Models: compositions of :mod:`course_utils.nn` layers, trained by :func:`course_utils.optim.loop.train`,
with no new maths.

- :mod:`course_utils.models.mlp` -- fully connected network with a sigmoid output (binary labels)
- :mod:`course_utils.models.logistic` -- logistic regression (the MLP with no hidden layer)
- :mod:`course_utils.models.bn_mlp` -- softmax classifier with batch normalisation
- :mod:`course_utils.models.cnn` -- small convolutional network for images ([CONV -> RELU -> POOL] x B -> FC ->
  SOFTMAX) and the layer arithmetic of a CNN's table (output shapes, parameter counts)
- :mod:`course_utils.models.resnet` -- plain and residual stacks of convolutional blocks (the depth experiment
  of Track 4, notebook 04)
- :mod:`course_utils.models.yolo` -- YOLO's pieces: targets on a grid with anchor boxes, the two-case squared loss,
  the output head, score filtering and (per-class) non-max suppression
- :mod:`course_utils.models.detector` -- a small YOLO-style detector for the generated scenes, trained through the
  one loop (the kit's ``detector`` weights)
- :mod:`course_utils.models.unet` -- a small U-Net (encoder, transposed-convolution decoder, skip connections)
  for per-pixel classes, trained through the one loop (the kit's ``unet`` weights)
- :mod:`course_utils.models.face_encoder` -- a small convolutional encoder with L2-normalised encodings, the
  triplet loss and its gradient, random / semi-hard / hard triplets, verify and who_is_it (the kit's
  ``face_encoder`` weights)
- :mod:`course_utils.models.style_transfer` -- a fixed random multi-scale ConvNet for style transfer: its layers,
  backward pass to the image, receptive fields, top-activating patches, Adam on the pixels through the one loop
- :mod:`course_utils.models.sampling` -- sampling from a language model: the next token with a temperature,
  whole sequences from a recurrent model
- :mod:`course_utils.models.char_lm` -- a character-level language model: next-token data as indices, its
  step for the training loop, sequence probabilities, perplexity and the unigram baseline
- :mod:`course_utils.models.sentiment` -- sentence classifiers on word vectors: sentence_to_avg and the averaging
  softmax, a many-to-one LSTM that reads each sentence's last real state (padding at the end), their steps for the
  one loop
- :mod:`course_utils.models.date_attention` -- the date translator (bidirectional-LSTM encoder, attention decoder),
  its step for the one loop, greedy translation, log P(Y | X) and cached step functions for beam search on one input
  or many (the kit's
  ``date_attention`` weights)
- :mod:`course_utils.models.date_transformer` -- a small transformer on the date task: teacher forcing through the
  one loop, greedy causal decoding, attention maps (the kit's ``date_transformer`` weights)
- :mod:`course_utils.models.decoding` -- greedy decoding, beam search (one input, or many in lockstep), the
  length-normalised score, exhaustive search for tiny models, error attribution ("beam search" or "model")
"""
