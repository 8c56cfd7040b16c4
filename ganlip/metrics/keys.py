"""The names of what `ganlip train` logs to metrics.jsonl and TensorBoard, defined once: the trainer and the
measurements write them, compare, its claims and the tests read them. The scores' keys (`fd/NAME`, ...) come
from the metric registry (`ganlip.metrics.registry`), what strategies report of themselves from
`ganlip.reporting` (`strategy/...`)."""

# Training, averaged since the last line.
CRITIC_LOSS = "loss/critic"
GENERATOR_LOSS = "loss/generator"
PENALTY = "penalty"  # the penalties added to the critic loss this step, each weighted by its `every`
WASSERSTEIN = "wasserstein"  # E D(real) - E D(fake) on the training batches
SEC_PER_STEP = "time/sec_per_step"  # one generator step with its critic steps, measurements excluded
PEAK_MB = "memory/peak_mb"
INPUT_GRADIENT_MEAN = "grad_norm/input_mean"
INPUT_GRADIENT_MAX = "grad_norm/input_max"
CRITIC_PARAMETER_GRADIENT = "grad_norm/critic_params"
GENERATOR_PARAMETER_GRADIENT = "grad_norm/generator_params"

# Measurements on fixed samples, every measure_every steps.
WASSERSTEIN_EVAL = "wasserstein_eval"
W1_EXACT = "w1_exact"
TIGHTNESS = "tightness"
SWD = "swd"
LIPSCHITZ_UPPER = "lipschitz/upper"
LIPSCHITZ_LOWER = "lipschitz/lower"
# Per layer: PREFIX + the layer's name.
SPECTRAL_NORM = "spectral_norm/"
OPERATOR_NORM = "operator_norm/"
SPECTRAL_ESTIMATE = "spectral_estimate/"
ORTHONORMALITY = "orthonormality/"
GRADIENT_MAX = "grad_norm/{where}_max"  # where: real, fake, interp
