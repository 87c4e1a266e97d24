# target: generate.py
# lose: Q7
# message: tp4_nucleus_not_renormalised
# why: zeroes the probabilities outside the nucleus but forgets to divide by the mass of the nucleus
def p_nucleus(decoder, alpha: float):
    def compute(h):
        probs = torch.softmax(decoder(h), dim=-1)
        sorted_p, order = torch.sort(probs, dim=-1, descending=True)
        before = sorted_p.cumsum(dim=-1) - sorted_p
        keep_sorted = before < alpha
        keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        return probs * keep
    return compute
