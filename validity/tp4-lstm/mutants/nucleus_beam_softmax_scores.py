# target: generate.py
# lose: Q7
# message: tp4_nucleus_beam_scores
# why: draws its proposals from the nucleus, but scores them by the log of the full softmax instead of the renormalised nucleus probability
def generate_beam_nucleus(rnn, emb, decoder, eos, k, alpha, start="", maxlen=200):
    nucleus = p_nucleus(decoder, alpha)

    def candidates(h):
        probs = nucleus(h)
        keys = torch.log(torch.rand_like(probs).clamp_min(1e-12)) / probs.clamp_min(1e-30)
        keys = torch.where(probs > 0, -keys.neg().log(), torch.full_like(keys, float("-inf")))
        top = torch.topk(keys, min(k, probs.shape[-1]), dim=-1)
        scores = torch.log_softmax(decoder(h), dim=-1).gather(-1, top.indices)
        return torch.where(torch.isfinite(top.values), scores, torch.full_like(scores, float("-inf"))), top.indices

    return beam_search(rnn, emb, decoder, eos, k, start, maxlen, candidates)
