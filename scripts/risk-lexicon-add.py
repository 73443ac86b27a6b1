#!/usr/bin/env python3
"""Appends phrases to Haven's risk lexicon from a compact list (harm|level|language|person|phrase|with), skipping ones
already there, and sets the contexts and idioms. Used while writing the lexicon; the JSON file is what Haven reads."""
import json, sys

def main(lexicon_path, additions_path, extras_path):
    lexicon = json.load(open(lexicon_path, encoding="utf-8"))
    seen = {(p["harm"], p["language"], p["phrase"]) for p in lexicon["phrases"]}
    for line in open(additions_path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        fields = (line.split("|") + [""] * 6)[:6]
        harm, level, language, person, phrase, context = fields
        if (harm, language, phrase) in seen:
            continue
        entry = {"harm": harm, "level": level, "language": language, "phrase": phrase}
        if person:
            entry["person"] = person
        if context:
            entry["with"] = context
        lexicon["phrases"].append(entry)
        seen.add((harm, language, phrase))
    extras = {}
    exec(open(extras_path, encoding="utf-8").read(), extras)
    lexicon["contexts"] = extras["contexts"]
    for language, idioms in extras.get("hyperbole", {}).items():
        current = lexicon["hyperbole"].setdefault(language, [])
        current += [idiom for idiom in idioms if idiom not in current]
    with open(lexicon_path, "w", encoding="utf-8") as out:
        json.dump(lexicon, out, ensure_ascii=False, indent=1)
        out.write("\n")

main(*sys.argv[1:])
