# target: generate.py
# lose: Q7
# message: tp4_nucleus_drops_crossing
# why: keeps the symbols whose cumulative mass stays below alpha, so the one that crosses the threshold is missing
def p_nucleus(decoder, alpha: float):
    def compute(h):
        probs = torch.softmax(decoder(h), dim=-1)
        sorted_p, order = torch.sort(probs, dim=-1, descending=True)
        keep_sorted = sorted_p.cumsum(dim=-1) <= alpha
        keep_sorted[..., 0] = True
        keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        nucleus = probs * keep
        return nucleus / nucleus.sum(dim=-1, keepdim=True)
    return compute
