"""Reference names and values of LoRA adapters as PEFT builds them, for LoraTest (torch only; PEFT is not needed).

1. Names: a module tree with the paths of transformers' GPT2LMHeadModel (transformer.wte, transformer.h.<i>.attn.c_attn,
   ...), its target layers wrapped as PEFT's LoRA layers wrap them (base_layer, lora_A.default, lora_B.default,
   lora_dropout.default), targets chosen by PEFT's rule (a list entry matches a path equal to it or ending with
   '.' + entry), and the state dict filtered as get_peft_model_state_dict does for bias='none' ("lora_" keys, the
   adapter name removed, under PeftModel's 'base_model.model.' prefix): the tensor names and shapes of
   adapter_model.safetensors.
2. Values: one LoRA linear layer, y = x W^T + b + (alpha / r) * (x A^T) B^T, its merged weight W + (alpha / r) B A,
   and the gradients of sum(y * g) with respect to x, A and B, in float64.

Run: /usr/bin/python3 benchmarks/reference/make_lora_refs.py > ember-llm/src/test/resources/lora/reference.json
"""
import json
import torch
from torch import nn

torch.manual_seed(0)
VOCAB, CTX, LAYERS, WIDTH = 11, 8, 2, 8
R, ALPHA = 2, 8.0
TARGETS = ["c_attn", "c_fc"]


class Attn(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(WIDTH, 3 * WIDTH)
        self.c_proj = nn.Linear(WIDTH, WIDTH)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = nn.Linear(WIDTH, 4 * WIDTH)
        self.c_proj = nn.Linear(4 * WIDTH, WIDTH)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(WIDTH)
        self.attn = Attn()
        self.ln_2 = nn.LayerNorm(WIDTH)
        self.mlp = Mlp()


class Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, WIDTH)
        self.wpe = nn.Embedding(CTX, WIDTH)
        self.h = nn.ModuleList([Block() for _ in range(LAYERS)])
        self.ln_f = nn.LayerNorm(WIDTH)


class Gpt2LMHeadModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = Transformer()  # lm_head tied to wte: no separate weights


class LoraLinear(nn.Module):
    """PEFT's layout of a LoRA layer with one adapter named 'default'."""

    def __init__(self, base, r):
        super().__init__()
        self.base_layer = base
        self.lora_dropout = nn.ModuleDict({"default": nn.Identity()})
        self.lora_A = nn.ModuleDict({"default": nn.Linear(base.in_features, r, bias=False)})
        self.lora_B = nn.ModuleDict({"default": nn.Linear(r, base.out_features, bias=False)})


def matches(path):
    return path in TARGETS or any(path.endswith("." + t) for t in TARGETS)


model = Gpt2LMHeadModel()
for path, module in list(model.named_modules()):
    if isinstance(module, nn.Linear) and matches(path):
        parent = model.get_submodule(path.rsplit(".", 1)[0])
        setattr(parent, path.rsplit(".", 1)[1], LoraLinear(module, R))
state = {"base_model.model." + k: v for k, v in model.state_dict().items()}
adapter = {k.replace(".default", ""): list(v.shape) for k, v in state.items() if "lora_" in k}

torch.manual_seed(1)
IN, OUT = 5, 4
w = torch.randn(OUT, IN, dtype=torch.float64)
b = torch.randn(OUT, dtype=torch.float64)
a = torch.randn(R, IN, dtype=torch.float64, requires_grad=True)
bb = torch.randn(OUT, R, dtype=torch.float64, requires_grad=True)
x = torch.randn(3, IN, dtype=torch.float64, requires_grad=True)
g = torch.randn(3, OUT, dtype=torch.float64)
scaling = ALPHA / R
y = x @ w.T + b + scaling * (x @ a.T) @ bb.T
(y * g).sum().backward()
merged = w + scaling * bb.detach() @ a.detach()

flat = lambda t: t.detach().reshape(-1).tolist()
print(json.dumps({
    "torch": torch.__version__,
    "config": {"vocab": VOCAB, "context": CTX, "layers": LAYERS, "width": WIDTH, "r": R, "alpha": ALPHA, "targets": TARGETS},
    "adapter_tensors": adapter,
    "layer": {"in": IN, "out": OUT, "r": R, "alpha": ALPHA, "w": flat(w), "b": flat(b), "a": flat(a), "b_lora": flat(bb), "x": flat(x),
              "g": flat(g), "y": flat(y), "merged": flat(merged), "grad_x": flat(x.grad), "grad_a": flat(a.grad), "grad_b_lora": flat(bb.grad)},
}, indent=1))
