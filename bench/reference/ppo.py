"""PyTorch twin of one CleanRL PPO actor-critic minibatch update (src/rl/ppo.ts): separate
tanh MLP actor and critic (hidden sizes from the config), categorical heads over `cat`
(one-hot widths) plus an optional diagonal Gaussian of `gauss` dims, clipped surrogate,
value loss, entropy bonus, backward, global-norm clip, Adam step."""
import torch
from torch import nn

from common import timeit


def mlp(i, hidden, o):
    layers, d = [], i
    for h in hidden:
        layers += [nn.Linear(d, h), nn.Tanh()]
        d = h
    layers.append(nn.Linear(d, o))
    return nn.Sequential(*layers)


def run(spec, quick):
    D, M, hidden = spec["obsDim"], spec["minibatch"], spec["hidden_sizes"]
    cats, G = spec.get("cats", []), spec.get("gauss", 0)
    actor = mlp(D, hidden, sum(cats) + G)
    critic = mlp(D, hidden, 1)
    logstd = nn.Parameter(torch.zeros(G))
    params = list(actor.parameters()) + list(critic.parameters()) + ([logstd] if G else [])
    opt = torch.optim.Adam(params, lr=1e-3, eps=1e-5)
    obs = torch.randn(M, D)
    acts = [torch.randint(0, n, (M,)) for n in cats]
    gact = torch.randn(M, G)
    old_logp = torch.randn(M) * 0.1 - 1
    adv = torch.randn(M)
    ret = torch.randn(M)
    clip, ent_coef, vf_coef = 0.2, spec.get("ent_coef", 0.0), 0.5

    def update():
        out = actor(obs)
        logp = torch.zeros(M)
        ent = torch.zeros(M)
        off = 0
        for n, a in zip(cats, acts):
            dist = torch.distributions.Categorical(logits=out[:, off:off + n])
            logp = logp + dist.log_prob(a)
            ent = ent + dist.entropy()
            off += n
        if G:
            dist = torch.distributions.Normal(out[:, off:], logstd.exp())
            logp = logp + dist.log_prob(gact).sum(1)
            ent = ent + dist.entropy().sum(1)
        ratio = (logp - old_logp).exp()
        a = (adv - adv.mean()) / (adv.std() + 1e-8)
        pg = torch.max(-a * ratio, -a * ratio.clamp(1 - clip, 1 + clip)).mean()
        v = 0.5 * ((critic(obs).squeeze(1) - ret) ** 2).mean()
        loss = pg - ent_coef * ent.mean() + vf_coef * v
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, 0.5)
        opt.step()

    return {"update": timeit(update, 5 if quick else 40, warmup=5)}
