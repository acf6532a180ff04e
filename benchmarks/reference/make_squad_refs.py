"""Reference values of SQuAD v1.1's answer metrics, for AnswerMetricsTest.

normalize_answer, exact_match_score and f1_score as in the official evaluate-v1.1.py (lower case, ASCII punctuation
removed, articles a/an/the removed, whitespace collapsed; token F1 with multiplicity).

Run: /usr/bin/python3 benchmarks/reference/make_squad_refs.py > ember-llm/src/test/resources/eval/squad.json
"""
import collections
import json
import re
import string


def normalize_answer(s):
    def remove_articles(text):
        return re.sub(r'\b(a|an|the)\b', ' ', text)

    def white_space_fix(text):
        return ' '.join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return ''.join(ch for ch in text if ch not in exclude)

    return white_space_fix(remove_articles(remove_punc(s.lower())))


def f1_score(prediction, ground_truth):
    prediction_tokens = normalize_answer(prediction).split()
    ground_truth_tokens = normalize_answer(ground_truth).split()
    common = collections.Counter(prediction_tokens) & collections.Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    return (2 * precision * recall) / (precision + recall)


def exact_match_score(prediction, ground_truth):
    return normalize_answer(prediction) == normalize_answer(ground_truth)


PAIRS = [
    ("A piano.", "a piano"),
    ("The piano!", "A piano."),
    ("Take away his credit cards.", "Take away his credit-cards"),
    ("two footprints in the mayo", "There's two footprints in the mayo."),
    ("the the the", "the"),
    ("", "A towel."),
    ("Five; four to hold the car up", "Five; four to hold the car up and one to swap tires."),
    ("cat cat dog", "cat dog dog"),
    ("An anecdote, theatre and Anna", "anecdote theatre anna"),
    ("  Spaces\tand\nnewlines  ", "spaces and newlines"),
    ("Crème brûlée — fine", "creme brulee fine"),
    ("It's 3:00 p.m.", "its 300 pm"),
]
cases = [{"prediction": p, "truth": t, "normalized_prediction": normalize_answer(p), "normalized_truth": normalize_answer(t),
          "em": float(exact_match_score(p, t)), "f1": float(f1_score(p, t))} for p, t in PAIRS]
print(json.dumps({"cases": cases}, indent=1, ensure_ascii=False))
