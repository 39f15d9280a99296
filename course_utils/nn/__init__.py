"""Layers as forward/backward pairs, and what they are built from.

Every layer is a pair ``*_forward(inputs..., params...) -> (out, cache)`` and
``*_backward(d_out, cache) -> (d_input, param_grads)``, where ``param_grads`` is a dict
(``{"dW", "db"}``, ``{"dgamma", "dbeta"}``, or ``{}`` for a layer without parameters) and the cache
is a tuple the caller passes back unopened. Train and test behaviour, where they differ, is chosen
by ``training=True/False`` (:mod:`~course_utils.nn.dropout`, :mod:`~course_utils.nn.batchnorm`).

**The one gradient convention.** A cost is the average of the per-example losses, so the gradient
of the cost (:mod:`course_utils.nn.losses`, the ``*_cost_backward`` functions) carries the 1/m;
every layer's backward pass then *sums* over the batch and never divides by m.

- :mod:`course_utils.nn.activations` -- sigmoid, tanh, ReLU, leaky ReLU, softmax, derivatives, layers
- :mod:`course_utils.nn.linear` -- linear and linear->activation layers
- :mod:`course_utils.nn.losses` -- L1, L2, cross-entropy, softmax cross-entropy, their gradients
- :mod:`course_utils.nn.init` -- weight initialisation (small, Xavier, He), the signal probe
- :mod:`course_utils.nn.dropout` -- inverted dropout
- :mod:`course_utils.nn.l2` -- the L2 penalty (weight decay)
- :mod:`course_utils.nn.batchnorm` -- batch normalisation
- :mod:`course_utils.nn.conv` -- the fast convolution (im2col), max/average pooling and transposed
  convolution, with the one layer interface; what every network of Track 4 trains with
- :mod:`course_utils.nn.conv_loops` -- the same convolution and pooling written as loops with the classic
  names (``zero_pad`` ... ``pool_backward``), to be read; the tests check the two against each other
- :mod:`course_utils.nn.residual` -- the ResNet identity block (conv, ReLU, conv, plus the input, ReLU)
- :mod:`course_utils.nn.efficient` -- depthwise and depthwise separable convolution, the MobileNetV2
  bottleneck, and the multiplications a convolution, a 1 x 1 bottleneck and a separable one cost
- :mod:`course_utils.nn.concat` -- concatenation along the channels (the U-Net's skip connection), forward and
  backward
- :mod:`course_utils.nn.style` -- neural style transfer's content cost, Gram matrix, layer and weighted style
  costs, total cost, and their gradients
- :mod:`course_utils.nn.recurrent` -- RNN, GRU (simplified and full) and LSTM cells and sequences, forward
  and backward through time, with the classic names and shapes; a bidirectional wrapper; the softmax
  output at every step and the loss summed over time
- :mod:`course_utils.nn.embedding` -- the embedding lookup (``E o_j = e_j``) and its scattered gradient
- :mod:`course_utils.nn.attention` -- additive attention for one decoder step (Bahdanau et al. 2015): the softmax
  over the input positions with padding masked, the scores and the context, forward and backward
- :mod:`course_utils.nn.transformer` -- scaled dot-product attention (padding and causal masks), sinusoidal
  positional encoding, multi-head attention, layer norm, the position-wise feed-forward network, encoder and decoder
  layers (Vaswani et al. 2017), forward and backward; batch first ``(m, T, d)``
"""
