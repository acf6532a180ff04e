"""Reference shards of torch.utils.data.DistributedSampler (shuffle=False), for DistributedSamplerTest.

Run: /usr/bin/python3 benchmarks/reference/make_sampler_refs.py > src/test/resources/distributed/sampler_refs.json
"""
import json
import torch
from torch.utils.data import DistributedSampler

cases = []
for n, replicas, drop_last in [(10, 3, False), (10, 3, True), (12, 4, False), (5, 4, False), (2, 3, False), (7, 2, True)]:
    shards = [list(DistributedSampler(range(n), num_replicas=replicas, rank=r, shuffle=False, drop_last=drop_last))
              for r in range(replicas)]
    cases.append({"n": n, "replicas": replicas, "drop_last": drop_last, "shards": shards})
print(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1))
