#!/usr/bin/env python3
"""PyTorch side of Ember's character-GPT comparison (README, "Text generation").

The same model, data and recipe as `./ember train --model gpt` with `--compare` settings:
a pre-norm GPT with 4 layers, width 128, 4 heads, context 128, learned positions, biases,
tied input/output embeddings, exact GELU, LayerNorm eps 1e-5, no dropout, every Linear and
Embedding weight from N(0, 0.02) and zero biases; AdamW lr 3e-4 (PyTorch's defaults otherwise:
betas (0.9, 0.999), eps 1e-8, weight decay 0.01 on every parameter); batch 32 random windows of
the training text; 300 steps.

Data, as Ember's TextCorpus: every plain file in /usr/share/games/fortunes (the `fortunes` and
`fortunes-min` packages; not the `.dat` indexes or the `.u8` links), sorted by name, read as
UTF-8; `%` lines end a record and are dropped; record i goes to validation when i % 10 == 9
(a 90/10 split). Characters: the sorted code points of the whole corpus.

Validation loss: mean cross-entropy (nats/char) over 256 windows of 128 characters spread evenly
over the validation text (window j starts at j * ((len - 129) // 255)). Training tokens/s: steps
11..N (the first 10 warm up). Generation tokens/s: batch 1, greedy, from a 16-character prompt
until the context is full (113 new tokens; 5 timed rounds after an untimed one), with a KV cache
(keys and values of earlier positions kept per layer); the prompt's forward pass counts in the time.

Run in PyTorch's fastest setting on a small shared CPU:
    OMP_WAIT_POLICY=PASSIVE python3 benchmarks/torch_gpt.py --threads 2
"""
import argparse, json, math, os, time

import torch
import torch.nn as nn
import torch.nn.functional as F

FORTUNES = "/usr/share/games/fortunes"


def corpus_files():
    names = sorted(os.listdir(FORTUNES))
    out = []
    for n in names:
        p = os.path.join(FORTUNES, n)
        if n.endswith(".dat") or n.endswith(".u8") or os.path.islink(p) or not os.path.isfile(p):
            continue
        out.append(p)
    return out


def load_corpus(files):
    records = []
    for f in files:
        with open(f, "rb") as fh:
            text = fh.read().decode("utf-8", errors="replace")
        cur = []
        for line in text.split("\n"):
            line = line.rstrip("\r")
            if line.strip() == "%":
                if cur:
                    records.append("\n".join(cur) + "\n")
                cur = []
            else:
                cur.append(line)
        # a file's last record ends at the end of the file (its final newline leaves an empty line)
        while cur and cur[-1] == "":
            cur.pop()
        if cur:
            records.append("\n".join(cur) + "\n")
    train = "".join(r for i, r in enumerate(records) if i % 10 != 9)
    val = "".join(r for i, r in enumerate(records) if i % 10 == 9)
    return train, val


class Attention(nn.Module):
    def __init__(self, c, heads, sdpa):
        super().__init__()
        self.c_attn = nn.Linear(c, 3 * c)
        self.c_proj = nn.Linear(c, c)
        self.heads, self.sdpa = heads, sdpa

    def forward(self, x, cache=None):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        hd = c // self.heads
        q, k, v = (z.view(b, t, self.heads, hd).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        causal = t > 1
        if self.sdpa:
            y = F._scaled_dot_product_attention(q, k, v, None, 0.0, False, causal)[0]
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
            if causal:
                s = k.shape[2]
                mask = torch.ones(t, s, dtype=torch.bool).tril(s - t)
                att = att.masked_fill(~mask, float("-inf"))
            y = att.softmax(-1) @ v
        return self.c_proj(y.transpose(1, 2).reshape(b, t, c))


class Block(nn.Module):
    def __init__(self, c, heads, sdpa):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c, eps=1e-5)
        self.attn = Attention(c, heads, sdpa)
        self.ln_2 = nn.LayerNorm(c, eps=1e-5)
        self.c_fc = nn.Linear(c, 4 * c)
        self.c_proj = nn.Linear(4 * c, c)

    def forward(self, x, cache=None):
        x = x + self.attn(self.ln_1(x), cache)
        return x + self.c_proj(F.gelu(self.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    def __init__(self, vocab, ctx, layers, c, heads, sdpa):
        super().__init__()
        self.wte = nn.Embedding(vocab, c)
        self.wpe = nn.Embedding(ctx, c)
        self.h = nn.ModuleList(Block(c, heads, sdpa) for _ in range(layers))
        self.ln_f = nn.LayerNorm(c, eps=1e-5)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, idx, caches=None, start=0):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(start, start + t))
        for i, blk in enumerate(self.h):
            x = blk(x, None if caches is None else caches[i])
        return F.linear(self.ln_f(x), self.wte.weight)  # tied output embedding


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--context", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--attention", choices=["manual", "sdpa"], default="manual",
                    help="manual: q k^T, mask, softmax, @ v (nanoGPT's); sdpa: torch 1.13's F._scaled_dot_product_attention")
    ap.add_argument("--val-windows", type=int, default=256)
    ap.add_argument("--gen-rounds", type=int, default=5, help="generations from the prompt until the context is full")
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    train_text, val_text = load_corpus(corpus_files())
    chars = sorted(set(train_text) | set(val_text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    train = torch.tensor([stoi[ch] for ch in train_text], dtype=torch.long)
    val = torch.tensor([stoi[ch] for ch in val_text], dtype=torch.long)
    T, B = a.context, a.batch_size
    print(f"corpus: {len(train_text)} train / {len(val_text)} validation characters, vocabulary {len(chars)}", flush=True)

    model = GPT(len(chars), T, a.layers, a.width, a.heads, a.attention == "sdpa")
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params} parameters", flush=True)

    warm, t_warm = 10, None
    t0 = time.perf_counter()
    for step in range(1, a.steps + 1):
        starts = torch.randint(0, len(train) - T - 1, (B,))
        x = torch.stack([train[s:s + T] for s in starts])
        y = torch.stack([train[s + 1:s + T + 1] for s in starts])
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step == warm:
            t_warm = time.perf_counter()
        if step % 50 == 0 or step == 1:
            print(f"step {step}: loss {loss.item():.4f}", flush=True)
    t1 = time.perf_counter()
    timed = a.steps - warm
    train_tps = timed * B * T / (t1 - t_warm) if timed > 0 else float("nan")

    model.eval()
    n_win = a.val_windows
    stride = (len(val) - T - 1) // max(1, n_win - 1)
    with torch.no_grad():
        total, count = 0.0, 0
        for i in range(0, n_win, B):
            js = range(i, min(n_win, i + B))
            x = torch.stack([val[j * stride:j * stride + T] for j in js])
            y = torch.stack([val[j * stride + 1:j * stride + T + 1] for j in js])
            logits = model(x)
            total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum").item()
            count += y.numel()
    val_loss = total / count

    prompt = torch.tensor([[stoi[ch] for ch in "The meaning of l"]], dtype=torch.long)
    generated, gen_secs = 0, 0.0
    with torch.no_grad():
        for rnd in range(a.gen_rounds + 1):  # round 0 is untimed, as Ember's
            caches = [dict() for _ in range(a.layers)]
            g0 = time.perf_counter()
            logits = model(prompt, caches, 0)
            pos = prompt.shape[1]
            out = []
            while True:
                nxt = logits[:, -1].argmax(-1, keepdim=True)
                out.append(nxt.item())
                if pos >= T:
                    break
                logits = model(nxt, caches, pos)
                pos += 1
            if rnd > 0:
                gen_secs += time.perf_counter() - g0
                generated += len(out)
    gen_tps = generated / gen_secs
    res = {"val_loss": val_loss, "train_tokens_per_s": train_tps, "gen_tokens_per_s": gen_tps,
           "steps": a.steps, "final_train_loss": loss.item(), "train_seconds": t1 - t0, "threads": a.threads,
           "attention": a.attention, "generated": "".join(chars[i] for i in out)}
    print(f"torch gpt: val_loss {val_loss:.4f} nats/char, train {train_tps:.0f} tokens/s (steps {warm + 1}-{a.steps}), "
          f"generation {gen_tps:.0f} tokens/s ({generated} tokens, KV cache)", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
