#!/usr/bin/env python3
"""Trains Haven's language identifier: a naive Bayes model over character 1- to 4-grams of words.

Data (both openly licensed, see scripts/language-id/LICENSE.md):
  - the `wordfreq` package's word-frequency lists (data CC BY-SA 4.0, Robyn Speer et al.; pip install wordfreq),
    top 20,000 words of en, pt, ar, fr, es, it, de, id, tr, each word weighted by its frequency;
  - examples written for Haven: train.tsv (support-desk sentences) and arabizi-words.txt (Arabizi has no
    frequency list, so its model comes from our own writing only).
The test set (Tests/HavenCoreTests/Data/language-test.tsv) is never read here.

Writes Sources/HavenApp/Resources/language-model.tsv: per n-gram, the log-probability under each language.
Usage: python3 scripts/language-id/train.py
"""
import math, os, re, unicodedata
from collections import Counter, defaultdict

import wordfreq

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Sources", "HavenApp", "Resources", "language-model.tsv")
LANGUAGES = ["en", "pt", "ar", "fr", "es", "it", "de", "id", "tr", "ar-Latn"]
KEEP = 3000  # n-grams kept per language
MASS = 1e6  # every language's counts scaled to this total, so an unseen n-gram costs the same in each
ALPHA = 0.5  # additive smoothing

ARABIC_MARKS = set(range(0x064B, 0x0660)) | {0x0670, 0x0640}


def words(text):
    """The same normalization as LanguageIdentifier.words in Swift: lower case, Arabic marks and tatweel
    dropped, letters and digits kept, a word of digits only dropped."""
    text = text.lower()
    out, current = [], []
    for ch in text:
        code = ord(ch)
        if code in ARABIC_MARKS:
            continue
        if ch.isalpha() or ch.isdigit():
            current.append(ch)
        else:
            if current:
                out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return [w for w in out if not w.isdigit()]


def grams(word):
    padded = " " + word + " "
    for n in range(1, 5):
        for i in range(len(padded) - n + 1):
            g = padded[i:i + n]
            if g.strip() and len(g.encode()) <= 8:
                yield g


counts = defaultdict(Counter)
for lang in LANGUAGES[:-1]:
    for word in wordfreq.top_n_list(lang, 20000):
        weight = wordfreq.word_frequency(word, lang) * 1e6
        for w in words(word):
            for g in grams(w):
                counts[lang][g] += weight

# Our own examples count like running text of ordinary frequency.
EXAMPLE_WEIGHT = 30.0
for line in open(os.path.join(HERE, "train.tsv"), encoding="utf-8"):
    lang, text = line.rstrip("\n").split("\t", 1)
    for w in words(text):
        for g in grams(w):
            counts[lang][g] += EXAMPLE_WEIGHT
for line in open(os.path.join(HERE, "arabizi-words.txt"), encoding="utf-8"):
    if line.startswith("#"):
        continue
    for w in words(line):
        for g in grams(w):
            counts["ar-Latn"][g] += EXAMPLE_WEIGHT

vocabulary = set()
for lang in LANGUAGES:
    vocabulary |= {g for g, _ in counts[lang].most_common(KEEP)}
V = len(vocabulary)
lines = ["haven-language-model\t1", "languages\t" + "\t".join(LANGUAGES)]
unseen = []
tables = {}
for lang in LANGUAGES:
    total = sum(counts[lang][g] for g in vocabulary)
    scale = MASS / total
    for g in vocabulary:
        counts[lang][g] *= scale
    denominator = MASS + ALPHA * V
    tables[lang] = {g: math.log((counts[lang][g] + ALPHA) / denominator) for g in vocabulary}
    unseen.append(math.log(ALPHA / denominator))
lines.append("unseen\t" + "\t".join("%.3f" % u for u in unseen))
for g in sorted(vocabulary):
    lines.append(g + "\t" + "\t".join("%.3f" % tables[lang][g] for lang in LANGUAGES))
with open(OUT, "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
print("wrote %s: %d n-grams, %d languages" % (os.path.relpath(OUT), V, len(LANGUAGES)))
