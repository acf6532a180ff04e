#!/usr/bin/python3
"""Writes the scikit-learn reference values that Ember's metrics/ml tests compare against.

Run from the repository root with Debian's Python and scikit-learn (python3-sklearn 1.2):

    /usr/bin/python3 benchmarks/reference/make_sklearn_refs.py

It copies the four datasets that ship with scikit-learn (iris, wine, breast cancer, digits)
into ember-ml/src/test/resources/sklearn/ and writes, per dataset, <name>.json with the train/test
split, the fitted coefficients, predictions and scores of every estimator, plus metrics.json
with metric values on real predictions and on edge cases.

Protocol (mirrored by the Java tests in dev.ember.ml.SklearnData):
  * split: np.random.RandomState(0).permutation(n); the first round(0.3 n) indices (sorted)
    are the test set, the rest (sorted) the training set;
  * "standardized" features: (x - mean_train) / std_train with the population std of the
    training rows, and std 0 replaced by 1 (StandardScaler's rule);
  * regression targets are the class labels as floats;
  * convex problems (logistic, lasso) are solved to a tight tolerance so that the optimum,
    not the solver's stopping point, is what the tests compare.
"""
import gzip
import json
import os
import shutil
import warnings

import numpy as np
import sklearn
from sklearn import datasets, metrics
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.multiclass import OneVsRestClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "ember-ml", "src", "test", "resources", "sklearn")
DATA = os.path.join(os.path.dirname(sklearn.__file__), "datasets", "data")
FILES = {"iris": "iris.csv", "wine": "wine_data.csv", "breast_cancer": "breast_cancer.csv", "digits": "digits.csv.gz"}
LOADERS = {"iris": datasets.load_iris, "wine": datasets.load_wine,
           "breast_cancer": datasets.load_breast_cancer, "digits": datasets.load_digits}


def lst(a):
    return np.asarray(a).tolist()


def split(n):
    perm = np.random.RandomState(0).permutation(n)
    n_test = int(round(0.3 * n))
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])


def standardize(train, test):
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std[std == 0] = 1.0
    return (train - mean) / std, (test - mean) / std


def logistic_gradient(X, y, W, b):
    """Max-norm of the gradient of C * sum(loss) + 0.5 ||W||^2 (C = 1) at (W, b)."""
    if W.shape[0] == 1:
        p = 1 / (1 + np.exp(-(X @ W[0] + b[0])))
        g = np.r_[X.T @ (p - y) + W[0], np.sum(p - y)]
    else:
        Z = X @ W.T + b
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        D = P - np.eye(W.shape[0])[y]
        g = np.r_[(D.T @ X + W).ravel(), D.sum(axis=0)]
    return float(np.abs(g).max())


def structure(tree):
    """The fitted tree as arrays: split feature (-2 at leaves), threshold, left and right child (-1 at leaves)."""
    t = tree.tree_
    return {"feature": lst(t.feature), "threshold": lst(t.threshold),
            "left": lst(t.children_left), "right": lst(t.children_right)}


def root_gain(tree):
    """Weighted impurity decrease of the root split: independent of how ties between splits are broken."""
    t = tree.tree_
    left, right = t.children_left[0], t.children_right[0]
    n = t.n_node_samples
    return float(t.impurity[0] - (n[left] * t.impurity[left] + n[right] * t.impurity[right]) / n[0])


def reference(name):
    X, y = LOADERS[name](return_X_y=True)
    train, test = split(len(y))
    Xtr, Xte, ytr, yte = X[train], X[test], y[train], y[test]
    Str, Ste = standardize(Xtr, Xte)
    classes = np.unique(y)
    k = len(classes)
    ref = {"train": lst(train), "test": lst(test), "classes": lst(classes)}

    # Linear models on standardized features, targets = labels as floats.
    # scikit-learn 1.2's lstsq keeps the ~1e-15 singular values of constant columns (digits has 3 in its
    # training rows) and returns coefficients of 1e13 there; so fit on the non-constant columns and give the
    # constant ones weight 0, which is the minimum-norm least-squares solution.
    varying = Str.std(axis=0) > 0
    lin = LinearRegression().fit(Str[:, varying], ytr.astype(float))
    lin_coef = np.zeros(Str.shape[1])
    lin_coef[varying] = lin.coef_
    ref["linear"] = {"coef": lst(lin_coef), "intercept": float(lin.intercept_), "test_pred": lst(lin.predict(Ste[:, varying]))}
    ridge = Ridge(alpha=1.0).fit(Str, ytr.astype(float))
    ref["ridge"] = {"alpha": 1.0, "coef": lst(ridge.coef_), "intercept": float(ridge.intercept_)}
    lasso = Lasso(alpha=0.01, tol=1e-12, max_iter=200000).fit(Str, ytr.astype(float))
    ref["lasso"] = {"alpha": 0.01, "coef": lst(lasso.coef_), "intercept": float(lasso.intercept_)}

    # Logistic regression, L2, C = 1 (multinomial when k > 2). scikit-learn's lbfgs stops on scipy's
    # relative-decrease test (ftol = 64 eps) with a gradient max-norm of ~3e-4 whatever tol is given, so the
    # reference optimum comes from solver="newton-cg" (same objective), whose gradient max-norm is recorded
    # (below 1e-8); the lbfgs coefficients are kept beside it for information.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # newton-cg reports "not converged" when tol is below what fp allows
        logit = LogisticRegression(C=1.0, solver="newton-cg", tol=1e-10, max_iter=200).fit(Str, ytr)
    lbfgs = LogisticRegression(C=1.0, tol=1e-10, max_iter=100000).fit(Str, ytr)
    ref["logistic"] = {"coef": lst(logit.coef_), "intercept": lst(logit.intercept_),
                       "gradient_max_norm": logistic_gradient(Str, ytr, logit.coef_, logit.intercept_),
                       "lbfgs_coef": lst(lbfgs.coef_), "lbfgs_intercept": lst(lbfgs.intercept_),
                       "lbfgs_gradient_max_norm": logistic_gradient(Str, ytr, lbfgs.coef_, lbfgs.intercept_),
                       "test_pred": lst(logit.predict(Ste)), "test_proba": lst(logit.predict_proba(Ste)),
                       "test_accuracy": float(logit.score(Ste, yte))}

    # Trees on raw features. scikit-learn breaks ties between equally good splits with a feature order
    # drawn from random_state; its splitter state for random_state=0 is recorded so Ember can reproduce it.
    ref["tree_rand_r_state"] = int(np.random.RandomState(0).randint(0, 0x7FFFFFFF))
    ref["tree"] = {}
    for criterion in ("gini", "entropy"):
        t = DecisionTreeClassifier(criterion=criterion, random_state=0).fit(Xtr, ytr)
        ref["tree"][criterion] = {"test_accuracy": float(t.score(Xte, yte)), "root_gain": root_gain(t),
                                  "depth": int(t.get_depth()), "leaves": int(t.get_n_leaves()),
                                  "structure": structure(t), "test_pred": lst(t.predict(Xte))}
    t = DecisionTreeClassifier(max_depth=3, min_samples_leaf=5, random_state=0).fit(Xtr, ytr)
    ref["tree"]["depth3_leaf5"] = {"test_accuracy": float(t.score(Xte, yte)), "root_gain": root_gain(t),
                                   "depth": int(t.get_depth()), "leaves": int(t.get_n_leaves()),
                                   "structure": structure(t), "test_pred": lst(t.predict(Xte))}
    r = DecisionTreeRegressor(max_depth=4, random_state=0).fit(Xtr, ytr.astype(float))
    ref["tree_regressor"] = {"max_depth": 4, "root_gain": root_gain(r), "structure": structure(r),
                             "test_pred": lst(r.predict(Xte)),
                             "test_mse": float(metrics.mean_squared_error(yte, r.predict(Xte)))}
    forest = RandomForestClassifier(n_estimators=100, random_state=0).fit(Xtr, ytr)
    ref["forest"] = {"n_estimators": 100, "test_accuracy": float(forest.score(Xte, yte))}

    # SVC on standardized features; one-vs-rest (as Ember does) for multi-class.
    ref["svc"] = {}
    for kernel in ("linear", "rbf", "poly"):
        svc = SVC(kernel=kernel, C=1.0, gamma="scale", degree=3, coef0=0.0)
        model = (OneVsRestClassifier(svc) if k > 2 else svc).fit(Str, ytr)
        ref["svc"][kernel] = {"test_accuracy": float(model.score(Ste, yte)), "test_pred": lst(model.predict(Ste))}

    # Clustering on standardized training features, k = number of classes.
    km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(Str)
    mb = MiniBatchKMeans(n_clusters=k, n_init=3, random_state=0).fit(Str)
    ref["kmeans"] = {"k": k, "inertia": float(km.inertia_), "minibatch_inertia": float(mb.inertia_)}

    # PCA on raw training features; svd_solver="full" because "auto" picks the approximate randomized
    # solver for digits (1258 x 64 with 10 components).
    nc = min(X.shape[1], 10)
    pca = PCA(n_components=nc, svd_solver="full").fit(Xtr)
    pw = PCA(n_components=nc, whiten=True, svd_solver="full").fit(Xtr)
    ref["pca"] = {"n_components": nc, "components": lst(pca.components_), "explained_variance": lst(pca.explained_variance_),
                  "explained_variance_ratio": lst(pca.explained_variance_ratio_),
                  "whitened_test": lst(pw.transform(Xte[:5])), "reconstructed_test": lst(pca.inverse_transform(pca.transform(Xte[:5])))}

    knn = KNeighborsClassifier(n_neighbors=5).fit(Str, ytr)
    ref["knn"] = {"k": 5, "test_pred": lst(knn.predict(Ste)), "test_accuracy": float(knn.score(Ste, yte))}
    nb = GaussianNB().fit(Xtr, ytr)
    ref["gaussian_nb"] = {"theta": lst(nb.theta_), "var": lst(nb.var_), "prior": lst(nb.class_prior_),
                          "test_pred": lst(nb.predict(Xte)), "test_proba": lst(nb.predict_proba(Xte))}
    return ref, (yte, logit.predict(Ste), logit.predict_proba(Ste)), (yte.astype(float), lin.predict(Ste[:, varying]))


def classification_metrics(y_true, y_pred, proba, binary):
    out = {"y_true": lst(y_true), "y_pred": lst(y_pred), "proba": lst(proba),
           "accuracy": metrics.accuracy_score(y_true, y_pred),
           "confusion_matrix": lst(metrics.confusion_matrix(y_true, y_pred)),
           "report": metrics.classification_report(y_true, y_pred, zero_division=0),
           "log_loss": metrics.log_loss(y_true, proba)}
    if not binary:
        out["top2_accuracy"] = metrics.top_k_accuracy_score(y_true, proba, k=2)
        out["roc_auc_ovr_macro"] = metrics.roc_auc_score(y_true, proba, multi_class="ovr", average="macro")
    for average in (["binary"] if binary else []) + ["micro", "macro", "weighted"]:
        out[average] = {"precision": metrics.precision_score(y_true, y_pred, average=average, zero_division=0),
                        "recall": metrics.recall_score(y_true, y_pred, average=average, zero_division=0),
                        "f1": metrics.f1_score(y_true, y_pred, average=average, zero_division=0),
                        "f0.5": metrics.fbeta_score(y_true, y_pred, beta=0.5, average=average, zero_division=0)}
    if binary:
        score = proba[:, 1]
        fpr, tpr, thr = metrics.roc_curve(y_true, score)
        prec, rec, pthr = metrics.precision_recall_curve(y_true, score)
        out.update({"roc_auc": metrics.roc_auc_score(y_true, score), "roc_fpr": lst(fpr), "roc_tpr": lst(tpr),
                    "roc_thresholds": lst(thr[1:]), "pr_precision": lst(prec), "pr_recall": lst(rec),
                    "pr_thresholds": lst(pthr), "average_precision": metrics.average_precision_score(y_true, score)})
    return out


def regression_metrics(y_true, y_pred):
    return {"y_true": lst(y_true), "y_pred": lst(y_pred),
            "mse": metrics.mean_squared_error(y_true, y_pred),
            "rmse": metrics.mean_squared_error(y_true, y_pred, squared=False),
            "mae": metrics.mean_absolute_error(y_true, y_pred),
            "r2": metrics.r2_score(y_true, y_pred),
            "explained_variance": metrics.explained_variance_score(y_true, y_pred)}


def edge_cases():
    """Class 1 is never predicted (precision 0/0) and class 3 never occurs (recall 0/0)."""
    y_true = [0, 1, 2, 2, 0, 1]
    y_pred = [0, 0, 2, 3, 0, 2]
    out = {"y_true": y_true, "y_pred": y_pred}
    for zd in (0, 1):
        for average in ("micro", "macro", "weighted"):
            p, r, f, _ = metrics.precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=zd)
            out[f"{average}_zd{zd}"] = {"precision": p, "recall": r, "f1": f}
        p, r, f, s = metrics.precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=zd)
        out[f"per_class_zd{zd}"] = {"precision": lst(p), "recall": lst(r), "f1": lst(f), "support": lst(s)}
    out["report_zd0"] = metrics.classification_report(y_true, y_pred, zero_division=0)
    # Tied scores: the ROC/PR curves merge equal scores into one point.
    t = [0, 0, 1, 1, 1, 0, 1, 0]
    s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.2]
    fpr, tpr, thr = metrics.roc_curve(t, s)
    prec, rec, _ = metrics.precision_recall_curve(t, s)
    out["ties"] = {"y_true": t, "score": s, "roc_fpr": lst(fpr), "roc_tpr": lst(tpr), "roc_auc": metrics.roc_auc_score(t, s),
                   "pr_precision": lst(prec), "pr_recall": lst(rec), "average_precision": metrics.average_precision_score(t, s)}
    return out


def apriori_reference():
    """Brute-force frequent itemsets and rules over transactions made from discretized iris rows."""
    X, y = datasets.load_iris(return_X_y=True)
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    cuts = [np.quantile(X[:, j], [1 / 3, 2 / 3]) for j in range(4)]
    levels = ["low", "mid", "high"]
    transactions = []
    for row, label in zip(X, y):
        items = [f"{names[j]}={levels[int(np.searchsorted(cuts[j], row[j], side='right'))]}" for j in range(4)]
        items.append(f"class={int(label)}")
        transactions.append(sorted(items))
    min_support, min_confidence = 0.1, 0.8
    n = len(transactions)
    sets = [frozenset(t) for t in transactions]
    counts = {}
    for t in sets:  # every transaction has 5 items, so all 2^5 subsets can be enumerated
        items = sorted(t)
        for mask in range(1, 1 << len(items)):
            sub = frozenset(items[i] for i in range(len(items)) if mask >> i & 1)
            counts[sub] = counts.get(sub, 0) + 1
    frequent = {s: c / n for s, c in counts.items() if c / n >= min_support}
    rules = []
    for s, sup in frequent.items():
        if len(s) < 2:
            continue
        items = sorted(s)
        for mask in range(1, (1 << len(items)) - 1):
            a = frozenset(items[i] for i in range(len(items)) if mask >> i & 1)
            conf = sup / frequent[a]
            if conf >= min_confidence:
                c = s - a
                rules.append({"antecedent": sorted(a), "consequent": sorted(c), "support": sup,
                              "confidence": conf, "lift": conf / frequent[c]})
    return {"transactions": transactions, "min_support": min_support, "min_confidence": min_confidence,
            "itemsets": [{"items": sorted(s), "support": v} for s, v in frequent.items()], "rules": rules}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, file in FILES.items():
        shutil.copyfile(os.path.join(DATA, file), os.path.join(OUT, file))
    all_metrics = {"sklearn_version": sklearn.__version__}
    for name in FILES:
        ref, (yte, pred, proba), (yreg, reg_pred) = reference(name)
        ref["sklearn_version"] = sklearn.__version__
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(ref, f)
        all_metrics[name] = classification_metrics(yte, pred, proba, binary=len(ref["classes"]) == 2)
        all_metrics[name]["regression"] = regression_metrics(yreg, reg_pred)
        print(name, "done")
    all_metrics["edge_cases"] = edge_cases()
    with open(os.path.join(OUT, "metrics.json"), "w") as f:
        json.dump(all_metrics, f, indent=1)
    with open(os.path.join(OUT, "apriori.json"), "w") as f:
        json.dump(apriori_reference(), f, indent=1)


if __name__ == "__main__":
    main()
