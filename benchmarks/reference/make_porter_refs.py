#!/usr/bin/python3
"""Porter stemmer reference pairs for dev.ember.data.text.PorterStemmer.

Words: every all-lowercase ASCII word of /usr/share/dict/american-english (Debian package
wamerican). Stems: Snowball's implementation of the original Porter algorithm, run as
`stemwords -l porter` (Debian package libstemmer-tools). Also reports how many words NLTK's
PorterStemmer(mode=ORIGINAL_ALGORITHM) stems differently (for information only).

Writes ember-data/src/test/resources/data/porter_pairs.tsv.gz: "word<TAB>stem" per line.
Run: /usr/bin/python3 benchmarks/reference/make_porter_refs.py
"""
import gzip, re, subprocess, pathlib

root = pathlib.Path(__file__).resolve().parents[2]
words = []
seen = set()
for line in open('/usr/share/dict/american-english', encoding='utf-8'):
    w = line.strip()
    if re.fullmatch(r'[a-z]+', w) and w not in seen:
        seen.add(w)
        words.append(w)
out = subprocess.run(['stemwords', '-l', 'porter'], input='\n'.join(words) + '\n',
                     capture_output=True, text=True, check=True).stdout.split('\n')
stems = out[:len(words)]
assert len(stems) == len(words)
try:
    from nltk.stem.porter import PorterStemmer
    ps = PorterStemmer(mode=PorterStemmer.ORIGINAL_ALGORITHM)
    differ = sum(1 for w, s in zip(words, stems) if ps.stem(w) != s)
    print(f'NLTK ORIGINAL_ALGORITHM differs from stemwords on {differ} of {len(words)} words')
except ImportError:
    pass
dest = root / 'ember-data/src/test/resources/data/porter_pairs.tsv.gz'
with gzip.open(dest, 'wt', encoding='utf-8', compresslevel=9) as f:
    for w, s in zip(words, stems):
        f.write(f'{w}\t{s}\n')
print(f'wrote {len(words)} pairs to {dest}')
