"""Runs the PyTorch references named on stdin (a JSON list of {key, spec}) and prints one
JSON object {torch, threads, results: {key: {wallMs, cpuMs, calls}}} on stdout.
Invoked by bench/reference.ts with Debian's /usr/bin/python3; `--quick` for a smoke run."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import common  # noqa: E402
import decoder  # noqa: E402
import perception  # noqa: E402
import ppo  # noqa: E402

quick = "--quick" in sys.argv
threads = int(os.environ.get("AFFECTLAB_BENCH_THREADS", "2"))
common.setup(threads)
requests = json.load(sys.stdin)
results = {}
for req in requests:
    key, spec = req["key"], req["spec"]
    area, _, item = key.partition(".")
    if area == "perception":
        # key perception.<model>.<forward|train>; one run gives both items.
        model, _, what = item.partition(".")
        if key not in results:
            r = perception.run(spec, quick)
            results[f"perception.{model}.forward"] = r["forward"]
            results[f"perception.{model}.train"] = r["train"]
    elif area == "generator":
        if key not in results:
            r = decoder.run(spec, quick)
            for k, v in r.items():
                results[f"generator.{k}"] = v
    elif area == "ppo":
        results[key] = ppo.run(spec, quick)["update"]
    else:
        results[key] = {"error": f"no reference for {key}"}
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))
