"""PyTorch twin of affectlab's conditional transformer decoder (configs/generator/default.yaml,
src/generation/model/fast.ts) at batch 1: token + position embedding, `layers` pre-norm
blocks (causal self-attention, GELU FFN) with FiLM conditioning of each block's input,
final LayerNorm, vocabulary logits and the emotion head on the hidden state. Times greedy
decoding of `tokens` tokens with a key/value cache (one step per token) and without (the
whole prefix re-run every step), reported per token."""
import math

import torch
from torch import nn
import torch.nn.functional as F

from common import timeit


class Block(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.h = heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.o = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, ff)
        self.ff2 = nn.Linear(ff, d)

    def forward(self, x, gamma, beta, cache=None):
        # x: [1, t, d]; cache: dict with k, v [1, h, past, dh] or None (full causal pass).
        x = x * gamma + beta
        B, t, d = x.shape
        dh = d // self.h
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (z.view(B, t, self.h, dh).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], 2)
                v = torch.cat([cache["v"], v], 2)
            cache["k"], cache["v"] = k, v
            att = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
        else:
            att = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
            att = att.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(B, t, d)
        x = x + self.o(y)
        return x + self.ff2(F.gelu(self.ff1(self.ln2(x))))


class Decoder(nn.Module):
    def __init__(self, vocab, d, layers, heads, ff, max_len, cond_dim, classes):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(max_len, d)
        self.cond = nn.Sequential(nn.Linear(cond_dim, 64), nn.Tanh(), nn.Linear(64, 2 * d * layers))
        self.blocks = nn.ModuleList([Block(d, heads, ff) for _ in range(layers)])
        self.lnf = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)
        self.emo = nn.Linear(d, classes)
        self.d = d

    def film(self, c):
        gb = self.cond(c).view(len(self.blocks), 2, self.d)
        return [(1 + gb[i, 0], gb[i, 1]) for i in range(len(self.blocks))]

    def step(self, film, caches, token, pos):
        x = self.tok(torch.tensor([[token]])) + self.pos(torch.tensor([[pos]]))
        for b, (g, bt), c in zip(self.blocks, film, caches):
            x = b(x, g, bt, c)
        h = self.lnf(x)[0, -1]
        self.emo(h).softmax(-1)
        return self.head(h)

    def full(self, film, ids):
        t = len(ids)
        x = self.tok(torch.tensor([ids])) + self.pos(torch.arange(t).unsqueeze(0))
        for b, (g, bt) in zip(self.blocks, film):
            x = b(x, g, bt)
        h = self.lnf(x)[0, -1]
        self.emo(h).softmax(-1)
        return self.head(h)


def run(spec, quick):
    m = Decoder(spec["vocab"], spec["d_model"], spec["layers"], spec["heads"], spec["ff"], spec["max_len"], spec.get("cond_dim", 9), spec.get("classes", 5)).eval()
    n = min(int(spec["tokens"]), spec["max_len"] - 1)
    c = torch.rand(1, spec.get("cond_dim", 9))

    def cached():
        with torch.no_grad():
            film = m.film(c)
            caches = [dict() for _ in m.blocks]
            tok = 1
            for p in range(n):
                tok = int(m.step(film, caches, tok, p).argmax())

    def uncached():
        with torch.no_grad():
            film = m.film(c)
            ids = [1]
            for _ in range(n):
                ids.append(int(m.full(film, ids).argmax()))

    out = {}
    for key, fn, calls in (("decode_cached", cached, 2 if quick else 10), ("decode_uncached", uncached, 1 if quick else 3)):
        r = timeit(fn, calls, warmup=1)
        out[key] = {"wallMs": r["wallMs"] / n, "cpuMs": r["cpuMs"] / n, "calls": r["calls"] * n}
    return out
