"""Character codes and sentence batches for the LSTM/GRU lab (TP 4).

Vocabulary (``VOCAB_SIZE = 97``): id 0 is the padding symbol ``<PAD>``, id 1 the end of
sentence ``<EOS>``, and ids 2..96 the 95 printable ASCII characters of ``LETTRES``.

Shapes: ``L`` sequence length, ``B`` batch size.
Run ``python textloader.py`` to check ``pad_collate_fn`` on a three-sentence example.
"""

from __future__ import annotations

import re
import string
import sys
import unicodedata

import torch
from torch.utils.data import DataLoader, Dataset

PAD_IX = 0
EOS_IX = 1

LETTRES = string.ascii_letters + string.punctuation + string.digits + " "
id2lettre = dict(zip(range(2, len(LETTRES) + 2), LETTRES))
id2lettre[PAD_IX] = "<PAD>"
id2lettre[EOS_IX] = "<EOS>"
lettre2id = {c: i for i, c in id2lettre.items()}
VOCAB_SIZE = len(id2lettre)

_KEPT = frozenset(LETTRES)


def normalize(s: str) -> str:
    """Decompose accents (NFD) then keep only the characters of ``LETTRES`` ("é" -> "e")."""
    return "".join(c for c in unicodedata.normalize("NFD", s) if c in _KEPT)


def string2code(s: str) -> torch.Tensor:
    """Codes of the normalised string: a LongTensor of shape ``(n,)`` (no EOS added)."""
    return torch.tensor([lettre2id[c] for c in normalize(s)], dtype=torch.long)


def code2string(t) -> str:
    """Text of a sequence of codes (tensor or list of ints).

    ``<PAD>`` codes are skipped and decoding stops at the first ``<EOS>``, so the text of a
    padded batch column is the original sentence.
    """
    codes = t.tolist() if isinstance(t, torch.Tensor) else list(t)
    letters = []
    for code in codes:
        if code == EOS_IX:
            break
        if code != PAD_IX:
            letters.append(id2lettre[code])
    return "".join(letters)


class TextDataset(Dataset):
    """One example per sentence of ``text``, as the codes of the sentence (without EOS).

    Sentences are the pieces between "." characters; each piece is cut to ``maxlen``
    characters, its whitespace runs become one space, it is stripped, then "." is put back.
    Empty pieces are dropped; ``maxsent`` keeps only the first sentences.
    """

    def __init__(self, text: str, *, maxsent: int | None = None, maxlen: int | None = None):
        maxlen = maxlen or sys.maxsize
        pieces = (re.sub(r"\s+", " ", p[:maxlen]).strip() for p in text.split("."))
        self.sentences = [p + "." for p in pieces if p][:maxsent]
        # Encode once: every epoch reads the same codes.
        self.codes = [string2code(s) for s in self.sentences]

    def __len__(self) -> int:
        return len(self.sentences)

    def __getitem__(self, i: int) -> torch.Tensor:
        return self.codes[i]


def pad_collate_fn(samples: list[torch.Tensor]) -> torch.Tensor:
    """Batch sentences of different lengths into one sequence-first LongTensor.

    samples: B LongTensors of shapes ``(n_b,)`` (``TextDataset`` items; left unchanged).
    Returns ``(max n_b + 1, B)``: column b holds sample b, then ``EOS_IX``, then ``PAD_IX``
    up to the end. An empty sample gives a column that starts with EOS.
    """
    # BEGIN SOLUTION
    length = max(len(s) for s in samples) + 1
    batch = torch.full((length, len(samples)), PAD_IX, dtype=torch.long)
    for b, sample in enumerate(samples):
        n = len(sample)
        batch[:n, b] = torch.as_tensor(sample, dtype=torch.long)
        batch[n, b] = EOS_IX
    return batch
    # END SOLUTION


if __name__ == "__main__":
    example = "C'est. Un. Test."
    ds = TextDataset(example)
    batch = next(iter(DataLoader(ds, collate_fn=pad_collate_fn, batch_size=3)))
    print("batch (L x B):\n", batch)
    checks = {
        "shape (7, 3)": tuple(batch.shape) == (7, 3),
        "dtype long": batch.dtype == torch.long,
        "EOS at [5, 2]": batch[5, 2].item() == EOS_IX,
        "padding below 'Un.<EOS>' in column 1": bool((batch[4:, 1] == PAD_IX).all()),
        "text back without PAD/EOS": " ".join(code2string(column) for column in batch.t())
        == example,
    }
    for name, ok in checks.items():
        print(f"{'OK  ' if ok else 'FAIL'} {name}")
    if not all(checks.values()):
        sys.exit(1)
    print("OK")
