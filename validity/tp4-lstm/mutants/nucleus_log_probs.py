# target: generate.py
# lose: Q7
# message: tp4_nucleus_log_probs
# why: returns the log of the nucleus distribution (-inf outside) instead of the probabilities
def p_nucleus(decoder, alpha: float):
    def compute(h):
        probs = torch.softmax(decoder(h), dim=-1)
        sorted_p, order = torch.sort(probs, dim=-1, descending=True)
        keep_sorted = (sorted_p.cumsum(dim=-1) - sorted_p) < alpha
        keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        nucleus = probs * keep
        return torch.log(nucleus / nucleus.sum(dim=-1, keepdim=True))
    return compute
