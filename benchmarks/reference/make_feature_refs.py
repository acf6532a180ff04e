#!/usr/bin/python3
"""Reference values for dev.ember.data.features, from scikit-learn 1.2 (Debian python3-sklearn).

Each entry holds the input data, the fitted state and the transformed output, so the Java
test (FeatureReferenceTest) needs no Python. Mutual information: sklearn adds 1e-10-scale noise
to break ties and uses a kNN (k=3) estimator; Ember runs the same estimator without the noise,
so the two agree to about 1e-6 on tie-free data.
Writes ember-data/src/test/resources/data/feature_refs.json.
Run: /usr/bin/python3 benchmarks/reference/make_feature_refs.py
"""
import json, pathlib
import numpy as np
from sklearn.preprocessing import (StandardScaler, MinMaxScaler, RobustScaler, OneHotEncoder,
                                   LabelEncoder, PolynomialFeatures)
from sklearn.impute import SimpleImputer
from sklearn.feature_selection import VarianceThreshold, SelectKBest, chi2, f_classif, mutual_info_classif

root = pathlib.Path(__file__).resolve().parents[2]
rng = np.random.RandomState(7)
L = lambda a: np.asarray(a).tolist()
ref = {}

X = rng.normal(size=(40, 4)) * np.array([1.0, 10.0, 0.1, 3.0]) + np.array([0.0, 5.0, -2.0, 100.0])
Xt = rng.normal(size=(6, 4)) * 5
ref['X'] = L(X); ref['Xtest'] = L(Xt)
s = StandardScaler().fit(X)
ref['standard'] = {'mean': L(s.mean_), 'scale': L(s.scale_), 'test': L(s.transform(Xt))}
m = MinMaxScaler(feature_range=(-1, 2)).fit(X)
ref['minmax'] = {'min': L(m.data_min_), 'max': L(m.data_max_), 'test': L(m.transform(Xt))}
r = RobustScaler().fit(X)
ref['robust'] = {'center': L(r.center_), 'scale': L(r.scale_), 'test': L(r.transform(Xt))}
r2 = RobustScaler(quantile_range=(10.0, 90.0)).fit(X)
ref['robust1090'] = {'center': L(r2.center_), 'scale': L(r2.scale_), 'test': L(r2.transform(Xt))}

# imputer: integer-valued data with missing values (NaN), so most_frequent has ties to break
Xi = rng.randint(0, 5, size=(15, 3)).astype(float)
Xi[rng.rand(15, 3) < 0.25] = np.nan
Xi_t = np.array([[np.nan, 1.0, np.nan], [2.0, np.nan, 3.0]])
ref['imputeX'] = [[None if np.isnan(v) else v for v in row] for row in Xi]
ref['imputeTest'] = [[None if np.isnan(v) else v for v in row] for row in Xi_t]
for strategy in ['mean', 'median', 'most_frequent']:
    imp = SimpleImputer(strategy=strategy).fit(Xi)
    ref['impute_' + strategy] = {'statistics': L(imp.statistics_), 'test': L(imp.transform(Xi_t))}

cats = np.array([[c, d] for c, d in zip(rng.choice(['red', 'green', 'blue'], 20), rng.choice(['S', 'M', 'L', 'XL'], 20))], dtype=object)
cats_t = np.array([['green', 'XL'], ['purple', 'S'], ['red', 'XXL']], dtype=object)
oh = OneHotEncoder(handle_unknown='ignore', sparse_output=False).fit(cats)
ref['onehot'] = {'X': L(cats), 'test': L(cats_t), 'categories': [L(c) for c in oh.categories_], 'output': L(oh.transform(cats_t))}
labels = list(rng.choice(['cat', 'dog', 'bird', 'ant'], 12))
le = LabelEncoder().fit(labels)
ref['label'] = {'y': labels, 'classes': L(le.classes_), 'encoded': L(le.transform(labels))}

Xp = rng.normal(size=(5, 3))
ref['polyX'] = L(Xp)
for deg, inter, bias in [(2, False, True), (3, False, True), (2, True, False), (3, True, True)]:
    p = PolynomialFeatures(degree=deg, interaction_only=inter, include_bias=bias).fit(Xp)
    ref[f'poly_{deg}_{inter}_{bias}'] = {'degree': deg, 'interactionOnly': inter, 'includeBias': bias,
                                          'powers': L(p.powers_), 'output': L(p.transform(Xp))}

Xv = np.column_stack([rng.normal(size=30) * 0.1, rng.normal(size=30) * 2, np.ones(30), rng.normal(size=30)])
ref['varX'] = L(Xv)
for thr in [0.0, 0.5]:
    v = VarianceThreshold(threshold=thr).fit(Xv)
    ref[f'var_{thr}'] = {'threshold': thr, 'variances': L(v.variances_), 'support': L(v.get_support())}

# feature selection: 3 classes, features of varying relevance, non-negative for chi2
y = rng.randint(0, 3, size=60)
Xs = np.column_stack([y * 2.0 + rng.rand(60) * 3, rng.rand(60) * 5, (y == 1) * 4.0 + rng.rand(60), rng.rand(60) + y * 0.3, rng.exponential(size=60)])
ref['selX'] = L(Xs); ref['selY'] = L(y)
c2, pc = chi2(Xs, y); fa, pf = f_classif(Xs, y)
mi = mutual_info_classif(Xs, y, random_state=0)
ref['chi2'] = {'scores': L(c2), 'pvalues': L(pc), 'top2': L(SelectKBest(chi2, k=2).fit(Xs, y).get_support(indices=True))}
ref['f_classif'] = {'scores': L(fa), 'pvalues': L(pf), 'top3': L(SelectKBest(f_classif, k=3).fit(Xs, y).get_support(indices=True))}
ref['mutual_info'] = {'scores': L(mi), 'top2': L(SelectKBest(lambda a, b: mutual_info_classif(a, b, random_state=0), k=2).fit(Xs, y).get_support(indices=True))}
# StandardScaler on constant and near-constant columns. scikit-learn computes the variance with the
# corrected two-pass algorithm and treats a column as constant when that variance is within the
# algorithm's rounding-error bound (_is_constant_feature in sklearn/preprocessing/_data.py): its
# scale is 1 and its output 0. A naive variance of a constant 0.1 column is about 1e-33, not 0.
ref['standardConstant'] = []
for n in [3, 10, 1003]:
    k = np.arange(n)
    Xc = np.column_stack([
        np.full(n, 0.1),                  # constant whose mean is not representable
        np.full(n, -7.77),
        np.full(n, 1e10 + 0.3),
        np.full(n, 3.0),                  # exactly constant
        1.0 + (k % 3) * 2.0**-52,         # differs in the last bit only: treated as constant
        1e3 + k * 1e-8,                   # a tiny but real spread: scaled
        np.linspace(-1, 1, n),            # an ordinary column
    ])
    Xc_t = np.array([[0.1, -7.77, 1e10 + 0.3, 3.0, 1.0, 1e3, 0.5], [0.2, -7.0, 1e10, 4.0, 1.5, 1e3 + 5e-8, -2.0]])
    sc = StandardScaler().fit(Xc)
    ref['standardConstant'].append({'X': L(Xc), 'test': L(Xc_t), 'mean': L(sc.mean_), 'var': L(sc.var_), 'scale': L(sc.scale_),
                                    'train': L(sc.transform(Xc)), 'output': L(sc.transform(Xc_t))})
(root / 'ember-data/src/test/resources/data/feature_refs.json').write_text(json.dumps(ref, indent=None))
print('wrote feature_refs.json')
