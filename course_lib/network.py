"""A network is a list of layers: ``Sequential`` runs them forward, then backward in reverse.

``MLP`` builds the course's fully connected networks:

    [Linear -> (BatchNorm | LayerNorm) -> activation -> (Dropout)] × hidden layers -> Linear
"""
import numpy as np

from . import activations
from .layers import BatchNorm, Dropout, LayerNorm, Linear


class Sequential:
    """Layers applied one after another, like torch.nn.Sequential.

    ``params`` and ``grads`` are flat dicts named "<layer index>.<name>" ("0.W", "1.gamma",
    ...). Their values are the layers' own arrays, so an optimizer that updates
    ``params`` in place updates the layers; both dicts are rebuilt at every access, so
    ``grads`` always holds the gradients of the latest ``backward``.
    """

    def __init__(self, *layers):
        for i, layer in enumerate(layers):
            if not all(hasattr(layer, a) for a in ("forward", "backward", "params", "grads")):
                raise TypeError(f"층 {i}: {layer!r}에는 forward, backward, params, grads가 있어야 합니다")
        self.layers = list(layers)

    def forward(self, x, train=True):
        for layer in self.layers:
            x = layer.forward(x, train=train)
        return x

    def backward(self, dout, input_grad=True):
        """Gradients of every layer, from the output back; returns ∂L/∂x of the input.

        ``input_grad=False``: the input is data and nobody needs ∂L/∂x (training), so a first
        ``Linear`` skips computing it (PyTorch does the same for inputs that do not require a
        gradient); None is returned then.
        """
        if not self.layers:
            return dout
        first, *rest = self.layers
        for layer in reversed(rest):
            dout = layer.backward(dout)
        if not input_grad and isinstance(first, Linear):
            return first.backward(dout, input_grad=False)
        return first.backward(dout)

    @property
    def params(self):
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.params.items()}

    @property
    def grads(self):
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.grads.items()}

    def linear_layers(self):
        """Indices of the Linear layers, input side first: their weights are ``params[f"{i}.W"]``."""
        return [i for i, layer in enumerate(self.layers) if isinstance(layer, Linear)]

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def __repr__(self):
        return "Sequential(\n" + "".join(f"  ({i}) {layer!r}\n" for i, layer in enumerate(self.layers)) + ")"


NORMS = {None: None, "batch": BatchNorm, "layer": LayerNorm}


def MLP(sizes, activation="relu", init="he_normal", norm=None, dropout=0.0, rng=None, dtype=np.float64):
    """A fully connected network with layer sizes ``sizes`` = [input, hidden..., output].

    Each hidden layer is Linear -> norm ("batch", "layer" or None) -> activation (a name
    for ``activations.make``) -> Dropout(dropout) if dropout > 0. The last Linear has no
    activation: it outputs the logits. ``init`` is passed to every ``Linear``; ``rng`` (a
    seed or a Generator) is shared by all the random parts.
    """
    sizes = list(sizes)
    if len(sizes) < 2 or any(int(n) != n or n < 1 for n in sizes):
        raise ValueError(f"sizes={sizes}: 양의 정수가 2개 이상 있어야 합니다 (입력, ..., 출력)")
    if norm not in NORMS:
        raise ValueError(f"알 수 없는 정규화 norm={norm!r}. 가능한 값: None, 'batch', 'layer'")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout={dropout}: 드롭아웃 확률은 0 이상 1 미만 [0, 1)이어야 합니다")
    rng = np.random.default_rng(rng)
    layers = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers.append(Linear(n_in, n_out, init=init, rng=rng, dtype=dtype))
        if norm is not None:
            layers.append(NORMS[norm](n_out, dtype=dtype))
        layers.append(activations.make(activation, rng=rng))
        if dropout > 0:
            layers.append(Dropout(dropout, rng=rng))
    layers.append(Linear(sizes[-2], sizes[-1], init=init, rng=rng, dtype=dtype))
    return Sequential(*layers)
