#!/usr/bin/python3
"""Reference values for dev.ember.data.vision and dev.ember.data splits.

- resize: torch.nn.functional.interpolate(x[None], size, mode=..., align_corners=False for bilinear)
  on seeded random [C, H, W] inputs (PyTorch 1.13, Debian python3-torch).
- rotate: torch affine_grid + grid_sample (align_corners=False, zero padding), the rotation
  counter-clockwise about the image centre in pixel space (theta adjusted for the aspect ratio).
- stratified k-fold class counts: sklearn.model_selection.StratifiedKFold (Debian python3-sklearn).
Writes ember-data/src/test/resources/data/vision_refs.json and splits_refs.json.
Run: /usr/bin/python3 benchmarks/reference/make_data_refs.py
"""
import json, math, pathlib
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.model_selection import StratifiedKFold, KFold

root = pathlib.Path(__file__).resolve().parents[2]
out = root / 'ember-data/src/test/resources/data'
torch.manual_seed(0)

def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]

cases = []
for (c, h, w), (oh, ow) in [((3, 7, 9), (13, 17)), ((3, 7, 9), (4, 5)), ((1, 8, 8), (5, 12)), ((2, 5, 6), (5, 6)), ((1, 28, 28), (14, 14))]:
    x = torch.rand(c, h, w, dtype=torch.float64)
    for mode in ['nearest', 'bilinear']:
        kw = {'align_corners': False} if mode == 'bilinear' else {}
        y = F.interpolate(x[None], size=(oh, ow), mode=mode, **kw)[0]
        cases.append({'op': 'resize', 'mode': mode, 'shape': [c, h, w], 'size': [oh, ow], 'input': flat(x), 'output': flat(y)})

# angles chosen so no sample lands exactly halfway between pixels, where "nearest" is a coin toss of rounding error
for (c, h, w), angle in [((1, 9, 9), 33.0), ((3, 8, 8), 90.0), ((2, 7, 11), -47.0), ((1, 10, 6), 12.5)]:
    x = torch.rand(c, h, w, dtype=torch.float64)
    a = math.radians(angle)
    # output pixel (centred coords x', y') samples the input at R(a) (x', y'); in normalized coords
    # x_n = 2 x / W, so the off-diagonal terms pick up the aspect ratio.
    theta = torch.tensor([[[math.cos(a), -math.sin(a) * h / w, 0.0], [math.sin(a) * w / h, math.cos(a), 0.0]]], dtype=torch.float64)
    grid = F.affine_grid(theta, (1, c, h, w), align_corners=False)
    for mode in ['nearest', 'bilinear']:
        y = F.grid_sample(x[None], grid, mode=mode, padding_mode='zeros', align_corners=False)[0]
        cases.append({'op': 'rotate', 'mode': mode, 'shape': [c, h, w], 'angle': angle, 'input': flat(x), 'output': flat(y)})
(out / 'vision_refs.json').write_text(json.dumps(cases))

rng = np.random.RandomState(3)
splits = []
for n, classes, k in [(100, [0.5, 0.3, 0.2], 5), (57, [0.6, 0.25, 0.1, 0.05], 4), (30, [0.5, 0.5], 3)]:
    y = rng.choice(len(classes), size=n, p=classes)
    folds = []
    for _, test in StratifiedKFold(n_splits=k).split(np.zeros(n), y):
        folds.append(np.bincount(y[test], minlength=len(classes)).tolist())
    kfold = [len(test) for _, test in KFold(n_splits=k).split(np.zeros(n))]
    splits.append({'labels': y.tolist(), 'k': k, 'stratifiedTestCounts': folds, 'kfoldTestSizes': kfold})
(out / 'splits_refs.json').write_text(json.dumps(splits))
print('wrote', len(cases), 'vision cases and', len(splits), 'split cases')
