# target: generate.py
# lose: Q7
# message: tp4_nucleus_returns_index
# why: compute(h) samples a symbol from the nucleus and returns its index instead of the distribution
def p_nucleus(decoder, alpha: float):
    def compute(h):
        probs = torch.softmax(decoder(h), dim=-1)
        sorted_p, order = torch.sort(probs, dim=-1, descending=True)
        keep_sorted = (sorted_p.cumsum(dim=-1) - sorted_p) < alpha
        keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        nucleus = probs * keep
        return torch.multinomial(nucleus / nucleus.sum(dim=-1, keepdim=True), 1)
    return compute
