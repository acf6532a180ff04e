#!/usr/bin/env python3
"""A tiny random GPT-2 in Hugging Face's file layout, with reference logits and token ids, for Ember's interop test.

Writes ember-data/src/test/resources/gpt2_tiny/ (the tokenizer), ember-nn/src/test/resources/gpt2_tiny/ (the model) and
ember-nn/src/test/resources/gpt2_tiny_bf16/ (the same model in BFLOAT16, with torch's bfloat16 logits; see its section),
run from the repository root:
    /usr/bin/python3 benchmarks/reference/make_gpt2_refs.py

- ember-data: vocab.json and merges.txt, a byte-level BPE in GPT-2's format (bytes_to_unicode symbols, "#version: 0.2" header),
  its merges learned here from a small English/Chinese/emoji text, plus "<|endoftext|>" as the last id.
- ember-nn: config.json and model.safetensors, a randomly initialised GPT-2 (2 layers, width 32, 4 heads, 32 positions) with
  Hugging Face's tensor names (here without the "transformer." prefix and with the "h.<i>.attn.bias" mask buffers,
  as the gpt2 checkpoint on the Hub has them) and Conv1D weights stored [in, out].
- reference.json: in ember-data, the ids of a multilingual text under GPT-2's encoding algorithm (OpenAI's
  encoder.py: the regex pre-split, bytes_to_unicode, then merges by rank); in ember-nn, the logits of the model on
  the first 32 of those ids, computed by an independent float64 implementation of GPT-2's forward pass written below
  (no `transformers` package here).

Python's `re` lacks \\p{L}; the pre-split below implements GPT-2's pattern
    's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+
by hand, with unicodedata's categories (L*, N*) and the Unicode White_Space set, as the `regex` module reads it.
"""
import collections, json, math, os, struct, unicodedata

import torch

TOK_OUT = os.path.join("ember-data", "src", "test", "resources", "gpt2_tiny")
OUT = os.path.join("ember-nn", "src", "test", "resources", "gpt2_tiny")
os.makedirs(TOK_OUT, exist_ok=True)
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(2024)

WHITE_SPACE = set(map(chr, [*range(0x09, 0x0E), 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]))


def is_letter(c): return unicodedata.category(c).startswith("L")


def is_number(c): return unicodedata.category(c).startswith("N")


def is_space(c): return c in WHITE_SPACE


def pre_split(text):
    """GPT-2's regex, alternative by alternative, leftmost match first (as a backtracking regex engine)."""
    out, i, n = [], 0, len(text)
    while i < n:
        # 's|'t|'re|'ve|'m|'ll|'d
        if text[i] == "'":
            hit = next((s for s in ("s", "t", "re", "ve", "m", "ll", "d") if text.startswith(s, i + 1)), None)
            if hit:
                out.append(text[i:i + 1 + len(hit)])
                i += 1 + len(hit)
                continue
        matched = False
        for cls in (is_letter, is_number, lambda c: not (is_space(c) or is_letter(c) or is_number(c))):
            j = i + 1 if text[i] == " " and i + 1 < n and cls(text[i + 1]) else i
            if j < n and cls(text[j]):
                k = j
                while k < n and cls(text[k]):
                    k += 1
                out.append(text[i:k])
                i = k
                matched = True
                break
        if matched:
            continue
        # \s+(?!\S) then \s+
        k = i
        while k < n and is_space(text[k]):
            k += 1
        if k == i:
            raise AssertionError("no alternative matched at %d" % i)
        if k < n and k - i > 1:
            k -= 1  # leave the last space to the next word: (?!\S) fails before a non-space, backtrack one
        out.append(text[i:k])
        i = k
    return out


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


B2U = bytes_to_unicode()


def to_symbols(piece):
    return tuple(B2U[b] for b in piece.encode("utf-8"))


def learn_merges(text, count):
    words = collections.Counter(to_symbols(p) for p in pre_split(text))
    merges = []
    for _ in range(count):
        pairs = collections.Counter()
        for w, c in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        best = max(pairs, key=lambda pr: (pairs[pr], pr))  # most frequent; ties: the largest pair, so runs repeat
        if pairs[best] < 2:
            break
        merges.append(best)
        new_words = collections.Counter()
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new_words[tuple(out)] += c
        words = new_words
    return merges


def bpe(token, ranks):
    """OpenAI's encoder.py bpe(): merge the lowest-ranked adjacent pair everywhere, until none is ranked."""
    word = tuple(token)
    pairs = set(zip(word, word[1:]))
    if not pairs:
        return word
    while True:
        bigram = min(pairs, key=lambda p: ranks.get(p, float("inf")))
        if bigram not in ranks:
            break
        first, second = bigram
        new, i = [], 0
        while i < len(word):
            try:
                j = word.index(first, i)
                new.extend(word[i:j])
                i = j
            except ValueError:
                new.extend(word[i:])
                break
            if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                new.append(first + second)
                i += 2
            else:
                new.append(word[i])
                i += 1
        word = tuple(new)
        if len(word) == 1:
            break
        pairs = set(zip(word, word[1:]))
    return word


TRAIN_TEXT = (
    "The quick brown fox jumps over the lazy dog. It's the dog's day, and they're sure we've seen it; I'm told you'll "
    "agree, and he'd say the same. Numbers: 12345, 2024, 3.14159. The the the, there and then. "
    "你好，世界！这是一个测试。我们在测试分词器。世界你好，测试测试。中文文本和英文文本。"
    "Emoji: 😀😀🎉🎉👍🏽👍🏽 smile 😀 party 🎉. Café naïve résumé — déjà vu. "
) * 3

TEST_TEXT = ("Hello world! It's a test: the quick fox's 2024 résumé, naïve café.\n\n"
             "你好，世界！这是一个测试。 Emoji 😀🎉 and 👍🏽 too.   Three spaces\tand a tab.")

merges = learn_merges(TRAIN_TEXT, 300)
symbols = [B2U[b] for b in sorted(B2U, key=lambda b: ord(B2U[b]))]  # the 256 byte symbols, in character order
vocab = {s: i for i, s in enumerate(symbols)}
for a, b in merges:
    vocab.setdefault(a + b, len(vocab))
vocab["<|endoftext|>"] = len(vocab)
ranks = {m: i for i, m in enumerate(merges)}
with open(os.path.join(TOK_OUT, "vocab.json"), "w", encoding="utf-8") as f:
    json.dump(vocab, f, ensure_ascii=False)
with open(os.path.join(TOK_OUT, "merges.txt"), "w", encoding="utf-8") as f:
    f.write("#version: 0.2\n")
    for a, b in merges:
        f.write(a + " " + b + "\n")

ids = [vocab[t] for piece in pre_split(TEST_TEXT) for t in bpe(to_symbols(piece), ranks)]
decoded = bytearray()
inv = {v: k for k, v in vocab.items()}
u2b = {u: b for b, u in B2U.items()}
for i in ids:
    decoded.extend(u2b[c] for c in inv[i])
assert decoded.decode("utf-8") == TEST_TEXT

# ---- the model ---------------------------------------------------------------------------------
V, P, C, L, H = len(vocab), 32, 32, 2, 4
config = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": V, "n_positions": P, "n_ctx": P,
          "n_embd": C, "n_layer": L, "n_head": H, "n_inner": None, "activation_function": "gelu_new",
          "layer_norm_epsilon": 1e-5, "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1, "initializer_range": 0.02,
          "tie_word_embeddings": True, "bos_token_id": V - 1, "eos_token_id": V - 1}
with open(os.path.join(OUT, "config.json"), "w") as f:
    json.dump(config, f, indent=2)


def rnd(*shape, std=0.2):
    return (torch.randn(*shape) * std).float()


w = {"wte.weight": rnd(V, C, std=0.5), "wpe.weight": rnd(P, C, std=0.3)}
for i in range(L):
    p = "h.%d." % i
    w[p + "ln_1.weight"] = 1 + rnd(C, std=0.1)
    w[p + "ln_1.bias"] = rnd(C, std=0.1)
    w[p + "attn.bias"] = torch.tril(torch.ones(P, P)).view(1, 1, P, P)  # the causal-mask buffer older HF checkpoints keep
    w[p + "attn.c_attn.weight"] = rnd(C, 3 * C)      # Conv1D: [in, out]
    w[p + "attn.c_attn.bias"] = rnd(3 * C, std=0.1)
    w[p + "attn.c_proj.weight"] = rnd(C, C)
    w[p + "attn.c_proj.bias"] = rnd(C, std=0.1)
    w[p + "ln_2.weight"] = 1 + rnd(C, std=0.1)
    w[p + "ln_2.bias"] = rnd(C, std=0.1)
    w[p + "mlp.c_fc.weight"] = rnd(C, 4 * C)
    w[p + "mlp.c_fc.bias"] = rnd(4 * C, std=0.1)
    w[p + "mlp.c_proj.weight"] = rnd(4 * C, C)
    w[p + "mlp.c_proj.bias"] = rnd(C, std=0.1)
w["ln_f.weight"] = 1 + rnd(C, std=0.1)
w["ln_f.bias"] = rnd(C, std=0.1)


def write_safetensors(path, tensors, dtype="F32"):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        if dtype == "BF16":
            raw = t.contiguous().view(torch.int16).numpy().astype("<i2").tobytes()  # the bit patterns
        else:
            raw = t.contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    js = json.dumps(header).encode()
    js += b" " * (-len(js) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)) + js + b"".join(blobs))


write_safetensors(os.path.join(OUT, "model.safetensors"), w)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


def layer_norm(x, g, b, eps=1e-5):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * g + b


def gpt2_forward(idx):
    """GPT-2's forward pass in float64, written out: Conv1D is x @ W + b with W [in, out]."""
    d = {k: v.double() for k, v in w.items()}
    t = len(idx)
    x = d["wte.weight"][idx] + d["wpe.weight"][:t]
    hd = C // H
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for i in range(L):
        p = "h.%d." % i
        a = layer_norm(x, d[p + "ln_1.weight"], d[p + "ln_1.bias"])
        qkv = a @ d[p + "attn.c_attn.weight"] + d[p + "attn.c_attn.bias"]
        q, k, v = qkv.split(C, dim=-1)
        q, k, v = (z.view(t, H, hd).transpose(0, 1) for z in (q, k, v))
        s = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        s = s.masked_fill(~causal, float("-inf"))
        y = (s.softmax(-1) @ v).transpose(0, 1).reshape(t, C)
        x = x + y @ d[p + "attn.c_proj.weight"] + d[p + "attn.c_proj.bias"]
        m = layer_norm(x, d[p + "ln_2.weight"], d[p + "ln_2.bias"])
        hdn = gelu_new(m @ d[p + "mlp.c_fc.weight"] + d[p + "mlp.c_fc.bias"])
        x = x + hdn @ d[p + "mlp.c_proj.weight"] + d[p + "mlp.c_proj.bias"]
    x = layer_norm(x, d["ln_f.weight"], d["ln_f.bias"])
    return x @ d["wte.weight"].T  # the tied output layer


model_ids = ids[:P]
logits = gpt2_forward(torch.tensor(model_ids))
with open(os.path.join(TOK_OUT, "reference.json"), "w", encoding="utf-8") as f:
    json.dump({"text": TEST_TEXT, "ids": ids}, f, ensure_ascii=False)
ref = {"model_ids": model_ids, "logits_shape": list(logits.shape), "logits": [round(v, 7) for v in logits.reshape(-1).tolist()]}
with open(os.path.join(OUT, "reference.json"), "w", encoding="utf-8") as f:
    json.dump(ref, f, ensure_ascii=False)
print(f"vocab {V} ({len(merges)} merges), {len(ids)} ids for the test text -> {TOK_OUT}; logits {list(logits.shape)} -> {OUT}")

# ---- the same model in BFLOAT16 (issue #20: a 16-bit checkpoint loaded without a float32 copy, generation in BF16) ----
# ember-nn/src/test/resources/gpt2_tiny_bf16/: config.json and model.safetensors with every tensor rounded to BF16 (round to
# nearest even, as torch's .to(torch.bfloat16)); reference.json with
# - "logits_bf16": torch's logits for model_ids computed in bfloat16 on the CPU (each op rounds to bfloat16; layer_norm,
#   softmax and matmul accumulate in float32 inside, as torch's CPU kernels do),
# - "logits_f64": the float64 forward pass of the rounded weights, to measure how far a BF16 forward pass strays,
# - "greedy_prompt", "greedy_tokens": greedy decoding in bfloat16 (full forward pass per step), and "greedy_gaps" /
#   "greedy_gaps_f64": the top-1 minus top-2 logit at each step, so a test compares only the steps whose margin
#   exceeds BF16's rounding.
import torch.nn.functional as TF

BF_OUT = os.path.join("ember-nn", "src", "test", "resources", "gpt2_tiny_bf16")
os.makedirs(BF_OUT, exist_ok=True)
w_bf = {k: v.to(torch.bfloat16) for k, v in w.items()}


write_safetensors(os.path.join(BF_OUT, "model.safetensors"), w_bf, "BF16")
with open(os.path.join(BF_OUT, "config.json"), "w") as f:
    json.dump(config, f, indent=2)


def gpt2_forward_typed(idx, dtype):
    """GPT-2's forward pass with torch's own ops in `dtype` (bfloat16: every op's result rounded to bfloat16)."""
    d = {k: v.to(dtype) for k, v in w_bf.items()}
    t = len(idx)
    x = d["wte.weight"][idx] + d["wpe.weight"][:t]
    hd = C // H
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for i in range(L):
        p = "h.%d." % i
        a = TF.layer_norm(x, (C,), d[p + "ln_1.weight"], d[p + "ln_1.bias"], 1e-5)
        qkv = a @ d[p + "attn.c_attn.weight"] + d[p + "attn.c_attn.bias"]
        q, k, v = qkv.split(C, dim=-1)
        q, k, v = (z.view(t, H, hd).transpose(0, 1) for z in (q, k, v))
        s = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(hd))
        s = s.masked_fill(~causal, float("-inf"))
        y = (s.softmax(-1) @ v).transpose(0, 1).reshape(t, C)
        x = x + (y @ d[p + "attn.c_proj.weight"] + d[p + "attn.c_proj.bias"])
        m = TF.layer_norm(x, (C,), d[p + "ln_2.weight"], d[p + "ln_2.bias"], 1e-5)
        hdn = TF.gelu(m @ d[p + "mlp.c_fc.weight"] + d[p + "mlp.c_fc.bias"], approximate="tanh")
        x = x + (hdn @ d[p + "mlp.c_proj.weight"] + d[p + "mlp.c_proj.bias"])
    x = TF.layer_norm(x, (C,), d["ln_f.weight"], d["ln_f.bias"], 1e-5)
    return x @ d["wte.weight"].T


with torch.no_grad():
    logits_bf16 = gpt2_forward_typed(torch.tensor(model_ids), torch.bfloat16).float()
    logits_f64 = gpt2_forward_typed(torch.tensor(model_ids), torch.float64)

    def greedy(prompt):
        seq, gaps, gaps64 = list(prompt), [], []
        for _ in range(16):
            last = gpt2_forward_typed(torch.tensor(seq), torch.bfloat16)[-1].float()
            top = torch.topk(last, 2).values
            gaps.append(round(float(top[0] - top[1]), 6))
            last64 = gpt2_forward_typed(torch.tensor(seq), torch.float64)[-1]
            top64 = torch.topk(last64, 2).values
            gaps64.append(round(float(top64[0] - top64[1]), 6))
            seq.append(int(torch.argmax(last)))
        return seq, gaps, gaps64

    def sure(run):
        """The continuation up to the first step whose top-2 gap is under 0.5 (BF16 rounding could swap the two)."""
        n = next((j for j, g in enumerate(run[1]) if g < 0.5), len(run[1]))
        return run[0][8:8 + n]

    # a random model soon repeats one token; of the 8-id windows of model_ids, take the one whose sure continuation
    # holds the most distinct tokens, then the longest (the first on ties), so the test sees the cache carry a varied
    # sequence
    runs = [greedy(model_ids[i:i + 8]) for i in range(0, 17)]
    best = max(range(len(runs)), key=lambda i: (len(set(sure(runs[i]))), len(sure(runs[i])), -i))
    prompt = model_ids[best:best + 8]
    seq, gaps, gaps64 = runs[best]
bf_ref = {"model_ids": model_ids, "logits_shape": list(logits_bf16.shape),
          "logits_bf16": [round(v, 6) for v in logits_bf16.reshape(-1).tolist()],
          "logits_f64": [round(v, 7) for v in logits_f64.reshape(-1).tolist()],
          "greedy_prompt": prompt, "greedy_tokens": seq[len(prompt):], "greedy_gaps": gaps, "greedy_gaps_f64": gaps64}
with open(os.path.join(BF_OUT, "reference.json"), "w", encoding="utf-8") as f:
    json.dump(bf_ref, f)
err = ((logits_bf16.double() - logits_f64).abs() / logits_f64.abs().clamp(min=1)).max().item()
print(f"bf16: logits {list(logits_bf16.shape)} -> {BF_OUT}; torch bf16 vs float64 largest difference {err:.4f}; "
      f"greedy {seq[len(prompt):]}, smallest top-2 gap {min(gaps):.4f}")
