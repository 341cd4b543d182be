"""Regenerates sentencepiece_reference.json and unigram-tiny.model with the real sentencepiece library.

Reference tool only (not used by the product or the tests at run time):
    apt-get install python3-sentencepiece   # 0.1.97 on Debian 12
    cd tests/PhoenixSlt.Core.Tests/Text/Fixtures && /usr/bin/python3 make_sentencepiece_reference.py

Outputs
  unigram-tiny.model           SentencePiece *unigram* model (vocab 250, nmt_nfkc, other options default)
                               trained on a generated German weather corpus. mbart-large-cc25's
                               sentencepiece.bpe.model is a unigram model despite its name.
  sentencepiece_reference.json {"sentencepiece_version", "bpe": [...], "unigram": [...]}; each case is
                               {"text", "ids"} with ids = SentencePieceProcessor.encode(text) (raw sentencepiece
                               ids, before the fairseq offset). "bpe" uses tests/fixtures/mbart-tiny/sentencepiece.bpe.model.
"""
import json
import os
import random
import tempfile

import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
BPE_MODEL = os.path.join(REPO, "tests", "fixtures", "mbart-tiny", "sentencepiece.bpe.model")
FIXTURE_CASES = os.path.join(REPO, "tests", "fixtures", "mbart-tiny", "tokenizer_cases.json")

DAYS = ["montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"]
REGIONS = ["im norden", "im süden", "im osten", "im westen", "an der küste", "in den alpen", "in bayern",
           "am oberrhein", "im bergland", "an der nordsee", "an der ostsee", "in der mitte"]
WEATHER = ["regnet es", "schneit es", "scheint die sonne", "gibt es gewitter", "ist es neblig",
           "weht ein kräftiger wind", "bleibt es trocken", "ziehen wolken auf", "gibt es schauer"]
NUMBERS = ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
           "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "zwanzig", "dreißig"]


def corpus(rng, lines=1500):
    out = []
    for _ in range(lines):
        day, region, weather = rng.choice(DAYS), rng.choice(REGIONS), rng.choice(WEATHER)
        low, high = rng.choice(NUMBERS), rng.choice(NUMBERS)
        form = rng.randrange(4)
        if form == 0:
            out.append(f"am {day} {weather} {region} bei temperaturen um {high} grad")
        elif form == 1:
            out.append(f"Am {day.capitalize()} {weather} {region}, {rng.randint(-10, 35)} °C.")
        elif form == 2:
            out.append(f"die temperaturen liegen zwischen minus {low} und {high} grad")
        else:
            out.append(f"Morgen {weather} {region}: {rng.randint(0, 100)}% Regenrisiko, Wind {rng.randint(5, 90)} km/h!")
    return out


TRICKY = ["\u3000Am\u00a0Montag\u2002regnet", "e\u0301 und a\u0308", "Ⅻ ① ² ㎞ ℃ ～ ~", "▁am▁tag", "a\r\nb\x0bc\x0cd",
          "\ufeffStart", "x\ufffdy", "ﬀ ﬃ ﬆ", "\ufdfa", "¨ ´ µ ſ", "ΣΑΣ σας", "İstanbul", "👨\u200d👩\u200d👧 Familie",
          "a\u200bb\u200cc\u200dd\u200ee\u200ff", "\x01\x02hallo\x7f\x1f", "\x85 next line", "ｈａｌｌｏ　ｗｅｌｔ", "ﾊﾝｶｸ",
          "가나다 가", "\u00ad", "   \t\n  ", "\u2028\u2029", "…", "a ‥ b", "‐‑‒–—―", "“„”‚‘’", "⁄ ∕", "ℌ ℍ ℎ",
          "㈱ ㍻", "Ǆ ǅ ǆ", "ŉ", "\u0344", "\u1e9b\u0323", "ï\u0301 Ü\u0301"]
POOL = list("abcdefghijklmnopqrstuvwxyzäöüßABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ0123456789 .,:;!?-()%°\"'\t\n") + \
    list("éèêëïî«»€£¥©®™¼½¾¹²³ẞﬁﬂＡＢＣ１２　\u00a0\u2009\u200b\u0301\u0308😀中文")


def texts(rng, random_count=150):
    with open(FIXTURE_CASES, encoding="utf-8") as f:
        fixture = [c["text"] for c in json.load(f)["cases"] if c["category"] != "special_token_literal"]
    rand = ["".join(rng.choice(POOL) for _ in range(rng.randint(1, 40))) for _ in range(random_count)]
    return fixture + TRICKY + rand


def encode(model_path, items):
    sp = spm.SentencePieceProcessor(model_file=model_path)
    return [{"text": t, "ids": sp.encode(t)} for t in items]


def main():
    rng = random.Random(20240611)
    with tempfile.TemporaryDirectory() as tmp:
        corpus_path = os.path.join(tmp, "corpus.txt")
        with open(corpus_path, "w", encoding="utf-8") as f:
            f.write("\n".join(corpus(rng)) + "\n")
        spm.SentencePieceTrainer.train(input=corpus_path, model_prefix=os.path.join(tmp, "unigram"),
                                       model_type="unigram", vocab_size=250, character_coverage=1.0,
                                       num_threads=1)
        unigram_model = os.path.join(HERE, "unigram-tiny.model")
        with open(os.path.join(tmp, "unigram.model"), "rb") as src, open(unigram_model, "wb") as dst:
            dst.write(src.read())
    items = texts(rng)
    reference = {"sentencepiece_version": spm.__version__,
                 "bpe": encode(BPE_MODEL, items),
                 "unigram": encode(unigram_model, items)}
    with open(os.path.join(HERE, "sentencepiece_reference.json"), "w", encoding="utf-8") as f:
        f.write(dumps_one_case_per_line(reference))


def dumps_one_case_per_line(reference):
    parts = [f'"sentencepiece_version": {json.dumps(reference["sentencepiece_version"])}']
    for key in ("bpe", "unigram"):
        cases = ",\n".join(json.dumps(c, ensure_ascii=False) for c in reference[key])
        parts.append(f'"{key}": [\n{cases}\n]')
    return "{\n" + ",\n".join(parts) + "\n}\n"
    print(f"{len(items)} texts")


if __name__ == "__main__":
    main()
