"""Sentence generation for the LSTM/GRU lab: greedy or sampled, beam search, nucleus beam search.

Every function drives a recurrent model through the state protocol shared by RNN, GRU and LSTM:

- ``state = rnn.init_state(B)``: the initial state of a batch of B sequences (a tensor, or a
  tuple of tensors for the LSTM);
- ``state = rnn.one_step(x, state)`` with ``x`` of shape ``(B, D)``: one time step;
- ``rnn.hidden(state)``: the hidden vectors ``(B, H)`` that the decoder reads.

``emb`` maps codes ``(L, B)`` to ``(L, B, D)`` (an ``nn.Embedding``) and ``decoder`` maps
``(B, H)`` to logits ``(B, V)``. ``eos`` is the end-of-sentence code; it is never part of the
returned text. Legend: B batch (here the hypotheses of a beam), D embedding dim, H latent,
V vocabulary.

This module only imports ``textloader`` (never the notebook), so the notebook can import it.
"""

from __future__ import annotations

import torch
from textloader import code2string, string2code


def select_state(state, index: torch.Tensor):
    """Rows ``index`` of a batched state (a tensor or a tuple/list of tensors, first dim B)."""
    if isinstance(state, (tuple, list)):
        return type(state)(select_state(s, index) for s in state)
    return state[index]


def _feed(rnn, emb, state, codes: list[int]):
    """Feed one code per sequence of the batch: ``codes`` has B entries; returns the new state."""
    device = rnn.hidden(state).device
    x = emb(torch.tensor([codes], dtype=torch.long, device=device))[0]  # (B, D)
    return rnn.one_step(x, state)


def _prime(rnn, emb, start: str):
    """State of a single sequence after reading ``start`` (the initial state if it is empty)."""
    state = rnn.init_state(1)
    for code in string2code(start).tolist():
        state = _feed(rnn, emb, state, [code])
    return state


def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False) -> str:
    """Continue ``start`` one symbol at a time; return ``start`` + the generated text.

    At each step the next symbol is the most probable one (``sample=False``) or is drawn from
    the softmax of the logits (``sample=True``, torch's global random generator). Generation
    stops when the symbol is ``eos`` (not included) or after ``maxlen`` symbols. With an
    empty ``start`` the first symbol is decoded from ``rnn.init_state(1)``.
    Runs without gradients and does not change the model's train/eval mode.
    """
    # BEGIN SOLUTION
    with torch.no_grad():
        state = _prime(rnn, emb, start)
        generated: list[int] = []
        while len(generated) < maxlen:
            logits = decoder(rnn.hidden(state))  # (1, V)
            if sample:
                symbol = torch.multinomial(torch.softmax(logits, dim=-1), 1).item()
            else:
                symbol = logits.argmax(dim=-1).item()
            if symbol == eos:
                break
            generated.append(symbol)
            state = _feed(rnn, emb, state, [symbol])
    return start + code2string(generated)
    # END SOLUTION


def beam_search(rnn, emb, decoder, eos, k, start, maxlen, candidates) -> str:
    """Beam search shared by Q6 and Q7 (a suggested helper: only the two callers are graded).

    ``candidates(h)`` receives the hidden vectors ``(n, H)`` of the n unfinished hypotheses
    and returns ``(scores, symbols)``, both ``(n, c)``: c proposed symbols per hypothesis and
    the log-score of each (``-inf`` marks a proposal to ignore). A candidate's score is its
    hypothesis's score plus that log-score; the k best candidates overall form the next beam,
    alongside the finished hypotheses (ended by ``eos``), which stay in the pool with their
    score and are not extended. Stops when all k hypotheses are finished or after ``maxlen``
    steps; returns ``start`` + the text of the best hypothesis (without EOS).

    Ties are broken by a stable sort on the pool, ordered as: finished hypotheses first, then
    the unfinished ones in beam order, each with its proposals in the order ``candidates`` gives.
    """
    # BEGIN SOLUTION
    with torch.no_grad():
        state = _prime(rnn, emb, start)
        alive: list[list[int]] = [[]]  # unfinished hypotheses, aligned with the rows of `state`
        alive_scores = torch.zeros(1, dtype=torch.float64)
        finished: list[tuple[float, list[int]]] = []
        for _ in range(maxlen):
            if not alive:
                break
            scores, symbols = candidates(rnn.hidden(state))  # (n, c) each
            scores, symbols = scores.double().cpu(), symbols.cpu()
            n_cand = scores.shape[1]
            pool = torch.cat(
                [
                    torch.tensor([s for s, _ in finished], dtype=torch.float64),
                    (alive_scores[:, None] + scores).flatten(),
                ]
            )
            order = torch.sort(pool, descending=True, stable=True).indices.tolist()
            new_finished, new_alive, new_scores, rows, fed = [], [], [], [], []
            for index in order[:k]:
                if pool[index].item() == float("-inf"):
                    break  # only ignored proposals remain
                if index < len(finished):
                    new_finished.append(finished[index])
                    continue
                row, j = divmod(index - len(finished), n_cand)
                symbol, score = symbols[row, j].item(), pool[index].item()
                if symbol == eos:
                    new_finished.append((score, alive[row]))
                else:
                    new_alive.append(alive[row] + [symbol])
                    new_scores.append(score)
                    rows.append(row)
                    fed.append(symbol)
            finished, alive = new_finished, new_alive
            alive_scores = torch.tensor(new_scores, dtype=torch.float64)
            if alive:
                device = rnn.hidden(state).device
                state = _feed(rnn, emb, select_state(state, torch.tensor(rows, device=device)), fed)
        # The best of finished and unfinished hypotheses (finished first on a tie).
        pool = finished + list(zip(alive_scores.tolist(), alive))
        best = max(range(len(pool)), key=lambda i: (pool[i][0], -i))
    return start + code2string(pool[best][1])
    # END SOLUTION


def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200) -> str:
    """Beam search with K = ``k`` hypotheses scored by the sum of their log-probabilities.

    Each unfinished hypothesis proposes its k most probable next symbols (``torch.topk`` of the
    log-softmax); the k best sequences among all proposals and the finished hypotheses are kept.
    No length normalisation. Returns ``start`` + the best sequence's text (without EOS).
    With ``k=1`` the result is the greedy ``generate``.
    """

    # BEGIN SOLUTION
    def top_k(h):
        logp = torch.log_softmax(decoder(h), dim=-1)  # (n, V)
        return torch.topk(logp, min(k, logp.shape[-1]), dim=-1)

    return beam_search(rnn, emb, decoder, eos, k, start, maxlen, top_k)
    # END SOLUTION


def p_nucleus(decoder, alpha: float):
    """Return ``compute(h)``: the nucleus distribution of the symbols given hidden vectors h.

    ``compute`` maps ``h`` of shape ``(B, H)`` to probabilities ``(B, V)``: for each row, the
    softmax of ``decoder(h)`` restricted to the smallest set of most probable symbols whose
    total mass is at least ``alpha`` (the symbol whose probability makes the mass reach
    ``alpha`` is in the set), renormalised to sum to 1, with zeros outside the set.
    ``alpha=1`` gives the full softmax; a row whose top probability is at least ``alpha`` is a
    one-hot vector.
    """

    def compute(h: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        probs = torch.softmax(decoder(h), dim=-1)
        sorted_p, order = torch.sort(probs, dim=-1, descending=True)
        # Mass of the strictly more probable symbols: a symbol is in the nucleus while it is
        # below alpha. An exclusive cumulative sum keeps the top probability exact.
        before = torch.cat(
            [torch.zeros_like(sorted_p[..., :1]), sorted_p.cumsum(dim=-1)[..., :-1]], dim=-1
        )
        keep_sorted = before < alpha
        keep_sorted[..., 0] = True
        if alpha >= 1:  # rounding must not drop the tail of the full softmax
            keep_sorted[:] = True
        keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        nucleus = probs * keep
        return nucleus / nucleus.sum(dim=-1, keepdim=True)
        # END SOLUTION

    return compute


def generate_beam_nucleus(rnn, emb, decoder, eos, k, alpha, start="", maxlen=200) -> str:
    """Beam search of ``generate_beam`` whose proposals are sampled from the nucleus.

    Each unfinished hypothesis proposes k symbols drawn WITHOUT replacement from
    ``p_nucleus(decoder, alpha)`` (fewer when its nucleus holds fewer than k symbols), each
    scored by the log of its nucleus probability; the k best candidates overall are kept as in
    ``generate_beam``. Every emitted symbol lies in the nucleus of its step. Random draws use
    torch's global generator (seed it with ``torch.manual_seed`` for reproducible output).
    """
    # BEGIN SOLUTION
    nucleus = p_nucleus(decoder, alpha)

    def sampled(h):
        q = nucleus(h)  # (n, V)
        logq = torch.log(q)  # -inf outside the nucleus
        # Gumbel-top-k: the k largest log q + Gumbel noise are a draw without replacement
        # from q, for every row at once.
        uniform = torch.rand_like(q).clamp_min(torch.finfo(q.dtype).tiny)
        keys = logq - torch.log(-torch.log(uniform))
        symbols = torch.topk(keys, min(k, q.shape[-1]), dim=-1).indices
        return logq.gather(-1, symbols), symbols  # -inf for draws outside a small nucleus

    return beam_search(rnn, emb, decoder, eos, k, start, maxlen, sampled)
    # END SOLUTION
