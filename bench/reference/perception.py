"""PyTorch twin of affectlab's default perception model (configs/fusion/attention_gru.yaml,
src/perception/fusion/attention_gru.ts) at the bench shapes (bench/fixtures.ts): per-modality
linear projections + modality embedding + sinusoidal positions, one post-norm cross-modal
attention block (4 heads over the M*T tokens, a token attends only to other modalities),
concat merge, GRU(M*dim -> hidden), class and arousal/valence heads; loss CE + MSE;
Adam with L2 weight decay. Times the forward pass and one training step."""
import math

import torch
from torch import nn

from common import timeit


class AttentionGru(nn.Module):
    def __init__(self, dims, T, dim=64, heads=4, ffn=128, hidden=64, classes=5, dropout=0.3):
        super().__init__()
        self.dims = dims
        self.T = T
        self.proj = nn.ModuleList([nn.Linear(d, dim) for d in dims])
        self.mod_emb = nn.Parameter(torch.randn(len(dims), dim) * 0.02)
        pos = torch.zeros(T, dim)
        t = torch.arange(T).unsqueeze(1)
        div = torch.exp(torch.arange(0, dim, 2) * (-math.log(10000.0) / dim))
        pos[:, 0::2] = torch.sin(t * div)
        pos[:, 1::2] = torch.cos(t * div)
        self.register_buffer("pos", pos)
        M = len(dims)
        mod = torch.arange(M).repeat_interleave(T)
        # True = not allowed (same modality): cross-modal attention only.
        self.register_buffer("block", mod.unsqueeze(0) == mod.unsqueeze(1))
        self.mha = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ln1 = nn.LayerNorm(dim)
        self.ln2 = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, ffn), nn.ReLU(), nn.Linear(ffn, dim))
        self.drop = nn.Dropout(dropout)
        self.gru = nn.GRU(M * dim, hidden, batch_first=True)
        self.cls = nn.Linear(hidden, classes)
        self.av = nn.Linear(hidden, 2)
        self.dim = dim

    def forward(self, xs):
        toks = [p(x) + self.mod_emb[j] + self.pos for j, (p, x) in enumerate(zip(self.proj, xs))]
        h = self.drop(torch.cat(toks, 1))
        a = self.ln1(h + self.drop(self.mha(h, h, h, attn_mask=self.block, need_weights=False)[0]))
        h = self.ln2(a + self.drop(self.ff(a)))
        B = h.shape[0]
        M = len(self.dims)
        fused = h.reshape(B, M, self.T, self.dim).transpose(1, 2).reshape(B, self.T, M * self.dim)
        _, last = self.gru(fused)
        last = self.drop(last[0])
        return self.cls(last), torch.tanh(self.av(last))


def run(spec, quick):
    dims = [spec["dims"][k] for k in ("audio", "face", "physio")]
    B, T, C = spec["batch"], spec["T"], spec["classes"]
    model = AttentionGru(dims, T, dim=spec.get("dim", 64), heads=spec.get("heads", 4), ffn=spec.get("ffn", 128), hidden=spec.get("hidden", 64), classes=C, dropout=spec.get("dropout", 0.3))
    xs = [torch.randn(B, T, d) for d in dims]
    y = torch.arange(B) % C
    av = torch.rand(B, 2) * 2 - 1
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-8, weight_decay=1e-5)
    ce = nn.CrossEntropyLoss()

    def forward():
        model.eval()
        with torch.no_grad():
            model(xs)

    def step():
        model.train()
        opt.zero_grad()
        logits, pav = model(xs)
        loss = ce(logits, y) + ((pav - av) ** 2).mean()
        loss.backward()
        opt.step()

    calls = 3 if quick else 15
    return {"forward": timeit(forward, calls), "train": timeit(step, calls)}
