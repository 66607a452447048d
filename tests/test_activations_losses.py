"""PyTorch's activations and losses as F.* and nn.* spell them (selu, celu, mish, hardswish, hardsigmoid,
tanhshrink, softplus with beta and threshold, smooth_l1_loss, huber_loss, kl_div, normalize, cosine_similarity,
cross_entropy's reduction= and label_smoothing=, nll_loss, NLLLoss), optax.huber_loss, and strings as settings
(reduction='sum', approximate='tanh'). Each case's value and gradient are the numbers PyTorch 2.13 printed (float64,
run by hand in the oracle venv); kinks as PyTorch's backward takes them; derivatives also against central
differences at many points (hypothesis)."""

import numpy as np
import pytest
from helpers import assert_error, numeric_gradients, run
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcalc import compute
from gradcalc.errors import GradcalcError

P = np.array([-4.0, -3.0, -1.0, 0.0, 0.5, 3.0, 4.0])      # the kinks of hardswish and hardsigmoid at ±3 included
X = np.array([0.5, -1.0, 2.0, 0.0])
T = np.array([1.0, 0.0, 0.0, 0.0])
Y = np.array([[0.1, 0.5, 2.0], [1.0, -1.0, 0.3]])
LABELS = np.array([2.0, 0.0])
CW = np.array([0.5, 2.0, 1.5])          # a class weight
LOGP = np.log(np.array([[0.2, 0.5, 0.3], [0.1, 0.6, 0.3]]))
Q = np.array([[0.1, 0.6, 0.3], [0.3, 0.3, 0.4]])
A = np.array([[1.0, 2.0, -2.0], [0.5, 0.0, 1.0]])
B = np.array([[0.3, -1.0, 2.0], [1.0, 1.0, 1.0]])
W = np.array([[0.3, -1.1, 2.5], [0.9, 0.2, -0.4]])

# (text, values, PyTorch's value, PyTorch's gradient of the value's sum for the first input)
ACTIVATIONS = [
    ("F.hardswish(x)", [-0.0, -0.0, -0.333333333333, 0.0, 0.291666666667, 3.0, 4.0],
     [0.0, 0.0, 0.166666666667, 0.5, 0.666666666667, 1.0, 1.0]),
    # PyTorch's hardsigmoid backward multiplies by 1/6 as a float32 (0.166666671634): to 1e-7
    ("F.hardsigmoid(x)", [0.0, 0.0, 0.333333333333, 0.5, 0.583333333333, 1.0, 1.0],
     [0.0, 0.0, 0.166666671634, 0.166666671634, 0.166666671634, 0.0, 0.0]),
    ("F.selu(x)", None, None),
    ("F.tanhshrink(x)", None, None),
    ("F.softplus(x, beta=2.0, threshold=1.0)", None, None),
    ("F.softplus(x)", None, None),
]
EXACT = {   # x = [-1, 0, 2] (0.5 and 0.6 for the threshold's sides)
    "F.selu(x)": ([-1.0, 0.0, 2.0], [-1.111330737813, 0.0, 2.101401974711], [0.646768603035, 1.758099340847, 1.050700987355]),
    "F.celu(x, alpha=2.0)": ([-1.0, 0.0, 2.0], [-0.786938680575, 0.0, 2.0], [0.606530659713, 1.0, 1.0]),
    "F.mish(x)": ([-1.0, 0.0, 2.0], [-0.303401461374, 0.0, 1.943958959534], [0.059216755877, 0.6, 1.069317934279]),
    "F.tanhshrink(x)": ([-1.0, 0.0, 2.0], [-0.238405844044, 0.0, 1.035972419924], [0.580025658386, 0.0, 0.929349175147]),
    "F.softplus(x, beta=2.0, threshold=1.0)": ([-1.0, 0.0, 0.5, 0.6, 2.0],
                                               [0.063464005521, 0.34657359028, 0.656630843759, 0.6, 2.0],
                                               [0.119202922022, 0.5, 0.73105857863, 1.0, 1.0]),
    "F.softplus(x)": ([-1.0, 0.0, 20.0, 21.0], [0.313261687518, 0.69314718056, 20.000000002061, 21.0],
                      [0.26894142137, 0.5, 0.999999997939, 1.0]),
    "F.hardswish(x)": (P, [-0.0, -0.0, -0.333333333333, 0.0, 0.291666666667, 3.0, 4.0],
                       [0.0, 0.0, 0.166666666667, 0.5, 0.666666666667, 1.0, 1.0]),
    "F.hardsigmoid(x)": (P, [0.0, 0.0, 0.333333333333, 0.5, 0.583333333333, 1.0, 1.0],
                         [0.0, 0.0, 0.166666671634, 0.166666671634, 0.166666671634, 0.0, 0.0]),
    "F.gelu(x, approximate='tanh')": ([0.5, -1.0, 2.0], [0.345714, -0.158808, 1.954598],
                                      [0.8673699035346424, -0.08296408384578252, 1.0860992566236183]),
}


@pytest.mark.parametrize("text", EXACT)
def test_an_activation_gives_pytorch_s_value_and_gradient_at_its_kinks_too(text):
    x, value, gradient = EXACT[text]
    found = compute(text, {"x": np.array(x, dtype=float)})
    np.testing.assert_allclose(found.value, value, atol=1e-6 if "tanh'" in text else 1e-11)
    np.testing.assert_allclose(found.gradient["x"], gradient, atol=1e-7 if "hardsigmoid" in text else 1e-11)


SMOOTH = ["F.selu(x)", "F.celu(x, alpha=0.7)", "F.mish(x)", "F.tanhshrink(x)", "F.softplus(x, beta=2.0, threshold=3.0)",
          "F.hardswish(x)", "F.hardsigmoid(x)", "nn.SELU()(x)", "nn.Mish()(x)"]
AWAY = st.floats(-6, 6, allow_nan=False).filter(lambda v: min(abs(v), abs(abs(v) - 3), abs(v - 1.5)) > 1e-3)


@settings(max_examples=40, deadline=None)
@given(AWAY)
def test_activation_derivatives_match_central_differences_at_many_points(x):
    for text in SMOOTH:
        found = compute(text, {"x": x})
        numeric = numeric_gradients(text, {"x": x})["x"]
        assert found.gradient["x"] == pytest.approx(float(numeric), rel=1e-5, abs=1e-6), text


# (text, values, PyTorch's value, {name: PyTorch's gradient})
# binary targets with per-element weights (PyTorch's numbers, float64; weight gets no gradient there)
LOGITS = {"z": np.array([0.5, -1.0, 2.0]), "b": np.array([1.0, 0.0, 1.0]), "w": np.array([2.0, 0.5, 1.5])}
PROBS = {"p": np.array([0.3, 0.6, 0.9]), "b": LOGITS["b"], "w": LOGITS["w"]}

LOSSES = [
    ("F.smooth_l1_loss(x, t)", {"x": X, "t": T}, 0.53125, {"x": [-0.125, -0.25, 0.25, 0.0]}),
    ("F.smooth_l1_loss(x, t, beta=0.5, reduction='sum')", {"x": X, "t": T}, 2.75, {"x": [-1.0, -1.0, 1.0, 0.0]}),
    ("F.smooth_l1_loss(x, t, beta=0.0)", {"x": X, "t": T}, 0.875, {"x": [-0.25, -0.25, 0.25, 0.0]}),
    ("F.huber_loss(x, t, delta=0.5)", {"x": X, "t": T}, 0.34375, {"x": [-0.125, -0.125, 0.125, 0.0]}),
    ("F.huber_loss(x, t, reduction='none').sum()", {"x": X, "t": T}, 2.125, {"x": [-0.5, -1.0, 1.0, 0.0]}),
    ("optax.huber_loss(x, t).sum()", {"x": X, "t": T}, 2.125, {"x": [-0.5, -1.0, 1.0, 0.0]}),
    # at |d| = β and δ: PyTorch's 1 and −1 (summed), the two pieces meet
    ("F.smooth_l1_loss(x, t, reduction='sum')", {"x": np.array([2.0, 0.0, -1.0]), "t": np.array([1.0, 0.0, 0.0])},
     1.0, {"x": [1.0, 0.0, -1.0]}),
    ("F.huber_loss(x, t, reduction='sum')", {"x": np.array([2.0, 0.0, -1.0]), "t": np.array([1.0, 0.0, 0.0])},
     1.0, {"x": [1.0, 0.0, -1.0]}),
    ("F.kl_div(i, t)", {"i": LOGP, "t": Q}, 0.046131762905589985,
     {"i": [[-0.016666666666666666, -0.1, -0.05], [-0.05, -0.05, -0.06666666666666667]],
      "t": [[0.05114213657334246, 0.19705359279899243, 0.16666666666666666],
            [0.3497687147780182, 0.051142136573342434, 0.21461367874196352]]}),
    ("F.kl_div(i, t, reduction='batchmean')", {"i": LOGP, "t": Q}, 0.13839528871676995,
     {"i": [[-0.05, -0.3, -0.15], [-0.15, -0.15, -0.2]]}),
    ("F.kl_div(i, torch.log(t), reduction='sum', log_target=True)", {"i": LOGP, "t": Q}, 0.27679057743353985,
     {"i": [[-0.1, -0.6, -0.3], [-0.3, -0.3, -0.4]]}),
    # a target of 0 adds 0 (PyTorch's xlogy); its own gradient there is nan in PyTorch and JAX (refused below)
    ("F.kl_div(i, torch.tensor([[0.0, 0.6, 0.4], [0.3, 0.3, 0.4]]), reduction='sum')", {"i": LOGP},
     0.46117812447024686, {"i": [[-0.0, -0.6, -0.4], [-0.3, -0.3, -0.4]]}),
    ("optax.kl_divergence(i, jnp.array([[0.0, 0.6, 0.4], [0.3, 0.3, 0.4]])).sum()", {"i": LOGP},
     0.46117812447024686, {"i": [[-0.0, -0.6, -0.4], [-0.3, -0.3, -0.4]]}),
    ("(optax.cosine_similarity(a, b) * jnp.array([1.0, -2.0])).sum()", {"a": A, "b": B}, -2.3913535321210455,
     {"a": [[0.13789757556646903, 0.03939930730470542, 0.10834809508794],
            [-0.4131182235954579, -1.0327955589886446, 0.2065591117977288]]}),
    # Keras' Huber object: the mean over every element (PyTorch's F.huber_loss(x, t, delta=1.5): 0.625)
    ("h = tf.keras.losses.Huber(delta=1.5)\nloss = h(t, x)", {"x": np.array([[0.5, -1.0], [2.0, 0.0]]),
                                                             "t": np.array([[1.0, 0.0], [0.0, 0.0]])},
     0.625, {"x": [[-0.125, -0.25], [0.375, 0.0]]}),
    ("tf.keras.losses.huber(t, x, delta=1.5)", {"x": np.array([[0.5, -1.0], [2.0, 0.0]]),
                                                "t": np.array([[1.0, 0.0], [0.0, 0.0]])},
     [0.3125, 0.9375], {"x": [[-0.25, -0.5], [0.75, 0.0]]}),
    ("(W * F.normalize(a)).sum()", {"W": W, "a": A}, -2.255278640450004,
     {"a": [[0.3555555555555555, 0.14444444444444438, 0.3222222222222223],
            [0.787095928079926, 0.17888543819998318, -0.39354796403996295]]}),
    ("(W * F.normalize(a, dim=0)).sum()", {"W": W, "a": A}, -2.844133022449836,
     {"a": [[-0.2683281572999747, 0.0, 0.15205262246998597], [0.5366563145999496, 0.1, 0.30410524493997126]]}),
    ("(F.cosine_similarity(a, b) * torch.tensor([1.0, -2.0])).sum()", {"a": A, "b": B}, -2.3913535321210455,
     {"a": [[0.13789757556646903, 0.03939930730470542, 0.10834809508794],
            [-0.4131182235954579, -1.0327955589886446, 0.2065591117977288]],
      "b": [[0.197383563117876, 0.13004093570118885, 0.035412933382913125], [0.0, 0.5163977794943224, -0.5163977794943222]]}),
    ("F.cross_entropy(y, t, reduction='sum')", {"y": Y, "t": LABELS}, 0.8065363095062117,
     {"y": [[0.10895953392714718, 0.16254852375600004, -0.2715080576831471],
            [-0.3872250843889693, 0.08293006676451029, 0.304295017624459]]}),
    ("F.cross_entropy(y, t, reduction='none')", {"y": Y, "t": LABELS}, [0.31677871405752833, 0.48975759544868336],
     {"y": [[0.10895953392714718, 0.16254852375600004, -0.2715080576831471],
            [-0.3872250843889693, 0.08293006676451029, 0.304295017624459]]}),
    ("F.cross_entropy(y, t, label_smoothing=0.1)", {"y": Y, "t": LABELS}, 0.5049348214197725,
     {"y": [[0.03781310029690692, 0.06460759521133336, -0.10242069550824023],
            [-0.16027920886115132, 0.024798366715588476, 0.13548084214556283]]}),
    ("F.cross_entropy(y, t, label_smoothing=0.2, reduction='sum')", {"y": Y, "t": LABELS}, 1.2132029761728784,
     {"y": [[0.04229286726048051, 0.09588185708933337, -0.13817472434981382],
            [-0.253891751055636, 0.01626340009784362, 0.23762835095779233]]}),
    ("F.cross_entropy(y, p, label_smoothing=0.1)", {"y": Y, "p": np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])},
     0.8784348214197726, {"y": [[-0.052186899703093086, -0.07039240478866665, 0.12257930449175977],
                                [-0.16027920886115132, 0.024798366715588476, 0.13548084214556283]]}),
    ("F.nll_loss(F.log_softmax(y, 1), t, reduction='sum')", {"y": Y, "t": LABELS}, 0.8065363095062117,
     {"y": [[0.10895953392714718, 0.16254852375600004, -0.2715080576831471],
            [-0.3872250843889693, 0.08293006676451029, 0.304295017624459]]}),
    # a class weight: the mean divides by Σ w[target] for class indices, by N for probabilities
    ("F.cross_entropy(y, t, weight=w)", {"y": Y, "t": LABELS, "w": CW}, 0.3600234344053171,
     {"y": [[0.08171965044536038, 0.12191139281700003, -0.20363104326236034],
            [-0.09680627109724232, 0.02073251669112757, 0.07607375440611475]]}),
    ("F.cross_entropy(y, t, weight=w, reduction='none')", {"y": Y, "t": LABELS, "w": CW},
     [0.4751680710862925, 0.24487879772434168],
     {"y": [[0.16343930089072076, 0.24382278563400006, -0.4072620865247207],
            [-0.19361254219448465, 0.04146503338225514, 0.1521475088122295]]}),
    ("F.cross_entropy(y, p, weight=w)", {"y": Y, "p": np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]]), "w": CW},
     0.8971039665538788, {"y": [[0.0289956620971817, -0.18215232027689995, 0.15315665817971832],
                                [-0.09680627109724232, 0.02073251669112757, 0.07607375440611475]]}),
    ("F.nll_loss(F.log_softmax(y, 1), t, weight=w)", {"y": Y, "t": LABELS, "w": CW}, 0.3600234344053171,
     {"y": [[0.08171965044536038, 0.12191139281700003, -0.20363104326236034],
            [-0.09680627109724232, 0.02073251669112757, 0.07607375440611475]]}),
    ("F.mse_loss(x, t, reduction='sum')", {"x": X, "t": T}, 5.25, {"x": [-1.0, -2.0, 4.0, 0.0]}),
    ("loss = nn.MSELoss(reduction='sum')\nloss(x, t)", {"x": X, "t": T}, 5.25, {"x": [-1.0, -2.0, 4.0, 0.0]}),
    ("nn.HuberLoss(delta=0.5)(x, t)", {"x": X, "t": T}, 0.34375, {"x": [-0.125, -0.125, 0.125, 0.0]}),
    # weight= of the binary losses scales each element's loss before the reduction (it was dropped)
    ("F.binary_cross_entropy_with_logits(z, b, weight=w)", LOGITS, 0.43172560956126116,
     {"z": [-0.2516937791987636, 0.04482357022833252, -0.05960146101105884]}),
    ("nn.BCEWithLogitsLoss(weight=w)(z, b)", LOGITS, 0.43172560956126116,
     {"z": [-0.2516937791987636, 0.04482357022833252, -0.05960146101105884]}),
    ("F.binary_cross_entropy(p, b, w, reduction='sum')", PROBS, 3.024131748075689,
     {"p": [-6.666666666666666, 1.25, -1.6666666666666667]}),
    ("F.binary_cross_entropy(p, b, weight=w, reduction='none')", PROBS,
     [2.4079456086518722, 0.4581453659370775, 0.15804077348673942], {"p": [-6.666666666666666, 1.25, -1.6666666666666667]}),
]


# At a zero vector PyTorch's norm passes no gradient and the clamp divides by eps: finite numbers, 1/eps
# (not nan, as the formula's √ would give); no central differences there, the eps clamp is PyTorch's rule.
ZERO_NORMS = [
    ("(F.normalize(z, dim=0) * c).sum()", {"z": np.zeros(3), "c": np.array([1.0, -2.0, 0.5])}, 0.0,
     {"z": [1e12, -2e12, 5e11]}),
    ("F.cosine_similarity(a, b).sum()", {"a": np.array([[0.0, 0.0], [1.0, 2.0]]), "b": np.array([[1.0, 3.0], [0.5, -1.0]])},
     -0.6, {"a": [[31622776.60168379, 94868329.80505137], [0.32, -0.16]], "b": [[0.0, 0.0], [0.64, 0.32]]}),
]


@pytest.mark.parametrize("text, values, value, gradients", LOSSES + ZERO_NORMS, ids=[c[0] for c in LOSSES + ZERO_NORMS])
def test_a_loss_gives_pytorch_s_value_and_gradients(text, values, value, gradients):
    found = compute(text, values)
    np.testing.assert_allclose(found.value, value, atol=1e-12)
    for name, expected in gradients.items():
        np.testing.assert_allclose(found.gradient[name], expected, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("text, values, value, gradients", LOSSES, ids=[c[0] for c in LOSSES])
def test_loss_gradients_match_central_differences(text, values, value, gradients):
    found = compute(text, values)
    # not the labels, nor t·log t at t = 0
    names = [name for name in values if name != "t" or not ("cross_entropy" in text or "nll" in text or
                                                             "kl_div" in text and np.any(values["t"] == 0))]
    numeric = numeric_gradients(text, values, wrt=names)
    for name in names:
        np.testing.assert_allclose(found.gradient[name], numeric[name], rtol=1e-6, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("made, value, gradient", [
    # PyTorch's numbers at x = [0.5, -1, 0, 0.1] (the objects were refused with these formulas as hints before)
    ("nn.SELU()", [0.5253504936777402, -1.1113307378125625, 0.0, 0.10507009873554805],
     [1.0507009873554805, 0.646768603034814, 1.7580993408473766, 1.0507009873554805]),
    ("nn.Mish()", [0.3752452113048951, -0.30340146137410895, 0.0, 0.06317941749148973],
     [0.8864243753577272, 0.059216755877395014, 0.6, 0.6633368207519952]),
])
def test_an_activation_object_is_its_function(made, value, gradient):
    found = compute(f"act = {made}\nact(x)", {"x": np.array([0.5, -1.0, 0.0, 0.1])})
    np.testing.assert_allclose(found.value, value, rtol=1e-12)
    np.testing.assert_allclose(found.gradient["x"], gradient, rtol=1e-12)


def test_nllloss_imported_from_torch_nn_is_its_function():
    # d2l's information theory section: NLLLoss()(torch.log(preds), labels), PyTorch: 0.9485599 (−(log .3 + log .5)/2)
    program = ("import torch\nfrom torch.nn import NLLLoss\n\nlabels = torch.tensor([0, 2])\n"
               "preds = torch.tensor([[0.3, 0.6, 0.1], [0.2, 0.3, 0.5]])\nnll_loss = NLLLoss()\n"
               "loss = nll_loss(torch.log(preds), labels)\nloss")
    found = compute(program, {})
    assert found.value == pytest.approx(-(np.log(0.3) + np.log(0.5)) / 2, abs=1e-12)


@pytest.mark.parametrize("text, message, hint", [
    ("F.mse_loss(x, t, reduction='avg')", "reduction='avg' is not one of 'mean', 'sum' and 'none'", "'sum'"),
    ("F.gelu(x, approximate='erf')", "approximate='erf' is not 'none' or 'tanh'", "approximate='tanh'"),
    ("F.cross_entropy(y, l, weight=w, label_smoothing=0.1)", "a class weight with label smoothing is not read",
     "leave one of them out"),
    ("F.nll_loss(y, l, ignore_index=0)", "ignore_index=0 leaves that class's rows out", "leave ignore_index out"),
    ("F.normalize(a, p=3)", "a norm of order p = 3 is not read here", "p=2"),
    ("x + F.relu(x, 'a')", "F.relu takes at most 1 argument", "F.relu(x)"),
    ("F.mse_loss(x, t) + 'a'", "unexpected character", "no strings"),
])
def test_what_gradcalc_does_not_compute_as_pytorch_does_is_refused(text, message, hint):
    result = run(text, "--x", "[0.5, 1.0]", "--t", "[1.0, 0.0]", "--y", "[[1.0, 2.0]]", "--l", "[1]", "--w", "[1.0, 2.0]",
                 "--a", "[[1.0, 2.0]]")
    assert_error(result, 2, message)
    assert hint in result.stderr


def test_the_gradient_of_a_zero_target_of_kl_div_is_refused_as_the_frameworks_give_nan():
    # PyTorch's and JAX's gradient of kl_div with respect to a target of 0 is nan (log 0 in t·log t's derivative)
    for text in ("F.kl_div(i, t, reduction='sum')", "optax.kl_divergence(i, t).sum()"):
        result = run(text, "--i", str(LOGP.tolist()), "--t", "[[0.0, 0.6, 0.4], [0.3, 0.3, 0.4]]")
        assert_error(result, 3, "the derivative of xlogx")
        assert "--wrt" in result.stderr
        found = compute(text, {"i": LOGP, "t": np.array([[0.0, 0.6, 0.4], [0.3, 0.3, 0.4]])}, wrt="i")
        np.testing.assert_allclose(found.gradient["i"], [[0.0, -0.6, -0.4], [-0.3, -0.3, -0.4]], atol=1e-12)


def test_a_string_where_a_value_is_needed_says_so():
    with pytest.raises(GradcalcError) as caught:
        compute("F.mse_loss(x, 'sum')", {"x": X})
    assert "the string 'sum' is not a number" in caught.value.message and "reduction='sum'" in caught.value.hint


@pytest.mark.parametrize("text", ["tf.nn.selu(x)", "tf.keras.activations.selu(x)", "tf.keras.activations.mish(x)",
                                  "tf.nn.softsign(x)", "tf.keras.activations.exponential(x)"])
def test_tensorflow_s_spellings_are_the_same_functions(text):
    x = np.array([-1.0, 0.0, 2.0])
    torch_text = {"tf.nn.selu(x)": "F.selu(x)", "tf.keras.activations.selu(x)": "F.selu(x)",
                  "tf.keras.activations.mish(x)": "F.mish(x)", "tf.nn.softsign(x)": "F.softsign(x)",
                  "tf.keras.activations.exponential(x)": "torch.exp(x)"}[text]
    found, same = compute(text, {"x": x}), compute(torch_text, {"x": x})
    np.testing.assert_array_equal(found.value, same.value)
    np.testing.assert_array_equal(found.gradient["x"], same.gradient["x"])


def test_keras_hard_sigmoid_is_refused_as_it_differs_between_versions():
    result = run("tf.keras.activations.hard_sigmoid(x)", "--x", "1")
    assert_error(result, 2, "0.2x + 0.5 clipped to [0, 1] in Keras 2 and relu6(x + 3)/6 in Keras 3")
